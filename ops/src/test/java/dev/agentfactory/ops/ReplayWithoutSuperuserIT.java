package dev.agentfactory.ops;

import static dev.agentfactory.ops.AuditEvents.agentRow;
import static dev.agentfactory.ops.AuditEvents.event;
import static dev.agentfactory.ops.AuditEvents.link;
import static dev.agentfactory.ops.AuditEvents.prdRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Replay as the owner of the factory tables without superuser rights (Supabase's and Cloud SQL's
 * {@code postgres}): no replica mode, so foreign keys and V4_3's statement-level reference checks run. The
 * agent topic's partition 0 holds, after the backup, a history entry of an existing agent, then a new agent
 * and its history (one fetch, one poll: the new history must not be sent ahead of its agent), and partition 1
 * a second new agent whose link sits on the PRD topic, which a poll may deliver before the agent.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayWithoutSuperuserIT {

    private static final Instant T1 = AuditEvents.CREATED;
    private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant T4 = Instant.parse("2026-03-01T13:00:00Z");

    private final String suffix = OpsTestBed.suffix();
    private final String agents = "it.ops.replay-nosu." + suffix + ".agents";
    private final String prds = "it.ops.replay-nosu." + suffix + ".prds";
    private final UUID existing = UUID.randomUUID();
    private final UUID created = UUID.randomUUID();
    private final UUID linked = UUID.randomUUID();
    private final UUID prd = UUID.randomUUID();
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    @AutoClose
    private OwnerDatabase target;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        target = bed.ownerDatabase("it_ops_replay_nosu_" + suffix, "it_ops_replay_" + suffix);
        url = target.url();
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 2, prds, 1));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            // offset 0 of agents-0 and prds-0: in the backup
            send(p, agents, 0, event("create", "agent", existing, 1L, "agents", null, agentRow(existing, 1, T1), 100, T1));
            send(p, prds, 0, event("create", "prd", prd, 1L, "prds", null, prdRow(prd, 1), 150, T1));
            // after the backup
            send(p, agents, 0, history(existing, 1, 300, T2));
            send(p, agents, 0, event("create", "agent", created, 1L, "agents", null, agentRow(created, 1, T3), 400, T3));
            send(p, agents, 0, history(created, 2, 500, T3));
            send(p, prds, 0, event("link", "prd", prd, null, "prd_agents", null, link(prd, linked, T4), 650, T4));
            p.flush();
            send(p, agents, 1, event("create", "agent", linked, 1L, "agents", null, agentRow(linked, 1, T3), 450, T3));
            p.flush();
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds));
    }

    @Test
    void replayAppliesChildrenAfterTheirParentsAcrossPartitionsWithoutReplicaMode(@TempDir Path backups)
            throws Exception {
        Map<String, String> env = target.env(Map.of("FACTORY_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(),
                "FACTORY_CDC_AGENTS_AUDIT_TOPIC", agents, "FACTORY_CDC_PRDS_AUDIT_TOPIC", prds));
        // the restored backup: its state is what the events before its offsets made
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning", "--until=" + T1), env)).isZero();
        Path backup = OpsTestBed.backupAt(backups, url, bed.env(agents, prds), Instant.parse("2026-03-01T10:30:00Z"),
                Map.of(agents, Map.of(0, 1L, 1, 0L), prds, Map.of(0, 1L)));

        int exit = ReplayCommand.run(List.of("--target=" + url, "--backup=" + backup), env);

        assertThat(exit).as("replay as a non-superuser").isZero();
        assertThat(query("SELECT count(*) FROM factory.agents")).isEqualTo("3");
        assertThat(query("SELECT string_agg(agent_id::text || ':' || seq, ',' ORDER BY seq)"
                + " FROM factory.agent_history")).isEqualTo(existing + ":1," + created + ":2");
        assertThat(query("SELECT agent_id::text FROM factory.prd_agents")).isEqualTo(linked.toString());
        assertThat(query("SELECT count(*) FROM factory.agent_versions")).isEqualTo("3");
    }

    private static Map<String, Object> history(UUID agent, long seq, long lsn, Instant at) {
        return event("history", "agent", agent, null, "agent_history", null, AuditEvents.history(agent, seq, at), lsn,
                at);
    }

    private static void send(KafkaProducer<String, String> p, String topic, int partition, Map<String, Object> event) {
        p.send(new ProducerRecord<>(topic, partition, null, AuditEvents.json(event)));
    }

    private String query(String sql) throws Exception {
        return bed.query(url, sql);
    }
}
