package dev.agentfactory.ops.failover;

import static dev.agentfactory.ops.AuditEvents.agentRow;
import static dev.agentfactory.ops.AuditEvents.prdRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.replay.AuditReplay;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * PRD links carry no version of their own: each link or unlink is a version of its PRD. A database ahead of the
 * audit topics (a standby the relay fed further than Kafka holds) must keep its newer link when older link events
 * are replayed onto it, and failover's loss check must see a link the database lacks. The PRD is linked at v2,
 * unlinked at v3 and linked again, with another role, at v4.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinkVersionGuardIT {

    private static final Instant T1 = AuditEvents.CREATED;
    private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant T4 = Instant.parse("2026-03-01T13:00:00Z");

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_link_guard_" + suffix;
    private final String agents = "it.ops.link-guard." + suffix + ".agents";
    private final String prds = "it.ops.link-guard." + suffix + ".prds";
    private final UUID agent = UUID.randomUUID();
    private final UUID prd = UUID.randomUUID();
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private Map<String, String> env;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        env = bed.env(agents, prds);
        url = bed.migratedDatabase(db);
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            send(p, agents, event("create", agent, 1L, "agents", null, agentRow(agent, 1, T1), T1, 0));
            send(p, prds, event("create", prd, 1L, "prds", null, prdRow(prd, 1), T1, 1));
            send(p, prds, event("link", prd, 2L, "prds", prdRow(prd, 1), prdRow(prd, 2), T2, 0));
            send(p, prds, event("link", prd, 2L, "prd_agents", null, link("implementer", T2), T2, 1));
            send(p, prds, event("unlink", prd, 3L, "prds", prdRow(prd, 2), prdRow(prd, 3), T3, 0));
            send(p, prds, event("unlink", prd, 3L, "prd_agents", link("implementer", T2), null, T3, 1));
            send(p, prds, event("link", prd, 4L, "prds", prdRow(prd, 3), prdRow(prd, 4), T4, 0));
            send(p, prds, event("link", prd, 4L, "prd_agents", null, link("reviewer", T4), T4, 1));
            p.flush();
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds));
    }

    @Test
    void olderLinkEventsReplayedOntoADatabaseAheadOfThemLeaveItsNewerLink() throws Exception {
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning"), env)).isZero();
        assertThat(linkedRole()).isEqualTo("reviewer");

        // the topics as far as the unlink at v3, onto a database at v4
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning", "--until=" + T3), env)).isZero();

        assertThat(linkedRole()).as("the v4 link, after the v2 link and v3 unlink were replayed").isEqualTo("reviewer");
        assertThat(bed.query(url, "SELECT version FROM factory.prds")).isEqualTo("4");
    }

    @Test
    void aLinkTheDatabaseLacksCountsAsAMissingWrite() throws Exception {
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning"), env)).isZero();
        assertThat(missing()).isZero();

        bed.execute(url, "DELETE FROM factory.prd_agents");

        assertThat(missing()).isEqualTo(1);
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning"), env)).isZero();
        assertThat(missing()).isZero();
    }

    private long missing() throws Exception {
        OpsSettings s = OpsSettings.fromEnvironment(env);
        try (Connection c = bed.connect(url)) {
            return AuditCoverage.missing(new AuditTopics(s.kafka(), s.topics().audit()), c,
                    AuditReplay.fromBeginning());
        }
    }

    private String linkedRole() throws Exception {
        return bed.query(url, "SELECT string_agg(role, ',') FROM factory.prd_agents");
    }

    private Map<String, Object> link(String role, Instant at) {
        Map<String, Object> row = new HashMap<>(AuditEvents.link(prd, agent, at));
        row.put("role", role);
        return row;
    }

    /** Here an event's lsn is its commit time in milliseconds plus its place in the transaction. */
    private static Map<String, Object> event(String op, UUID id, Long version, String table,
                                             Map<String, Object> before, Map<String, Object> after, Instant at,
                                             int place) {
        return AuditEvents.event(op, table.startsWith("agent") ? "agent" : "prd", id, version, table, before, after,
                at.toEpochMilli() + place, at);
    }

    private static void send(KafkaProducer<String, String> p, String topic, Map<String, Object> event) {
        p.send(new ProducerRecord<>(topic, (String) event.get("id"), AuditEvents.json(event)));
    }
}
