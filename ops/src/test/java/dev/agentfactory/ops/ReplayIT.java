package dev.agentfactory.ops;

import static dev.agentfactory.ops.AuditEvents.agentRow;
import static dev.agentfactory.ops.AuditEvents.event;
import static dev.agentfactory.ops.AuditEvents.history;
import static dev.agentfactory.ops.AuditEvents.link;
import static dev.agentfactory.ops.AuditEvents.prdRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
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

import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Replay semantics on hand-written audit events of the relay's contract (cdc-relay/README.md), including a
 * redelivered stale version after a newer one: {@code --until} stops at a commit time, replaying everything
 * twice gives the same state, an older image never overwrites a newer one, and an unlink removes the link.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayIT {

    private static final Instant T1 = AuditEvents.CREATED;
    private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant T4 = Instant.parse("2026-03-01T13:00:00Z");

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_replay_" + suffix;
    private final UUID agent = UUID.randomUUID();
    private final UUID prd = UUID.randomUUID();
    private OpsTestBed bed;
    private Map<String, String> env;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        String agents = "it.ops.replay." + suffix + ".agents";
        String prds = "it.ops.replay." + suffix + ".prds";
        env = bed.env(agents, prds);
        url = bed.migratedDatabase(db);
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 2, prds, 2));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            send(p, agents, agentEvent("create", 1, T1));
            send(p, prds, event("create", "prd", prd, 1L, "prds", null, prdRow(prd, 1), T1));
            send(p, agents, agentEvent("update", 2, T2));
            send(p, agents, event("history", "agent", agent, null, "agent_history", null, history(agent, 7, T2), T2));
            send(p, prds, event("link", "prd", prd, 2L, "prds", prdRow(prd, 1), prdRow(prd, 2), T3));
            send(p, prds, event("link", "prd", prd, 2L, "prd_agents", null, link(prd, agent, T3), T3));
            send(p, agents, agentEvent("update", 3, T4));
            send(p, agents, agentEvent("update", 2, T2)); // redelivered after a relay restart
            send(p, prds, event("unlink", "prd", prd, 3L, "prd_agents", link(prd, agent, T3), null, T4));
            p.flush();
        }
    }

    @AfterAll
    void tearDown() {
        bed.dropDatabase(db);
    }

    @Test
    void replayStopsAtTheGivenTimeThenCatchesUpIdempotentlyWithoutGoingBackwards() throws Exception {
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning", "--until=" + T3), env)).isZero();
        assertThat(query("SELECT version || ':' || name FROM factory.agents")).isEqualTo("2:agent v2");
        assertThat(query("SELECT count(*) FROM factory.prd_agents")).isEqualTo("1");
        assertThat(query("SELECT count(*) FROM factory.agent_history WHERE seq = 7")).isEqualTo("1");
        assertThat(query("SELECT string_agg(version::text, ',' ORDER BY version) FROM factory.agent_versions"))
                .isEqualTo("1,2");

        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning"), env)).isZero();
        String state = digest();
        assertThat(query("SELECT version || ':' || name FROM factory.agents")).as("stale v2 redelivered last")
                .isEqualTo("3:agent v3");
        assertThat(query("SELECT count(*) FROM factory.prd_agents")).isEqualTo("0");
        assertThat(query("SELECT count(*) FROM factory.processed_events")).isEqualTo("6");

        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning"), env)).isZero();
        assertThat(digest()).as("a second full replay").isEqualTo(state);
        assertThat(query("SELECT nextval(pg_get_serial_sequence('factory.agent_history', 'seq'))")).isEqualTo("8");
    }

    private Map<String, Object> agentEvent(String op, long version, Instant at) {
        return event(op, "agent", agent, version, "agents", null, agentRow(agent, version, at), at);
    }

    /** Here an event's lsn is its commit time in milliseconds. */
    private static Map<String, Object> event(String op, String entity, UUID id, Long version, String table,
                                             Map<String, Object> before, Map<String, Object> after, Instant at) {
        return AuditEvents.event(op, entity, id, version, table, before, after, at.toEpochMilli(), at);
    }

    private static void send(KafkaProducer<String, String> p, String topic, Map<String, Object> event) {
        p.send(new ProducerRecord<>(topic, (String) event.get("id"), AuditEvents.json(event)));
    }

    private String digest() throws Exception {
        return query("SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (SELECT a::text t FROM factory.agents a "
                + "UNION ALL SELECT v::text FROM factory.agent_versions v UNION ALL SELECT h::text FROM "
                + "factory.agent_history h UNION ALL SELECT p::text FROM factory.prds p UNION ALL SELECT e::text FROM "
                + "factory.processed_events e) x");
    }

    private String query(String sql) throws Exception {
        return bed.query(url, sql);
    }
}
