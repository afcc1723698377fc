package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The worker appends with COPY only where the writer bypasses row-level security (V4_1). Run as a member
 * of factory_writer WITHOUT BYPASSRLS (a role of this test: BYPASSRLS is not inherited, the writer's
 * policies and grants are), it must fall back to INSERT and write the same versions, history and audit
 * rows; COPY would be refused and the batch retried forever.
 */
@ExtendWith(LocalStackExtension.class)
class RowSecurityFallbackIT {

    private static final UUID AGENT = UUID.randomUUID();
    private static final WriteCodec CODEC = new WriteCodec();
    private static TestBed bed;
    private static WorkerProcess worker;
    private static String role;

    @BeforeAll
    static void runTheWorkerAsARoleSubjectToRowSecurity(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new TestBed("rls", endpoints, stack.primary());
        role = bed.db + "_writer";
        try (Connection c = bed.sql(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'it' NOBYPASSRLS IN ROLE factory_writer");
        }
        worker = new WorkerProcess("rls", bed.workerProperties(Map.of("spring.datasource.username", role,
                "spring.datasource.password", "it"))).start().awaitHealthy(Duration.ofSeconds(90));
        try (WriteProducer producer = bed.producer()) {
            producer.send(envelope(new WriteCommand.AgentCreate("rls-agent", "Rls", "planner", null, null, null, null)));
            producer.send(envelope(new WriteCommand.AgentUpdate(JsonNodeFactory.instance.objectNode()
                    .put("name", "tab\there, back\\slash"))));
            producer.send(envelope(new WriteCommand.AgentHistoryAppend("learning",
                    JsonNodeFactory.instance.objectNode().put("note", "line\nbreak"), null)));
            producer.flush();
        }
        bed.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopWorkerAndDropRole() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (role != null) {
            try (Connection c = bed.sql(); Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    @Test
    void rowSecurityReallyAppliesToTheWorkersRole() throws Exception {
        try (Connection c = DriverManager.getConnection(bed.endpoints.primaryJdbcUrl(bed.db), role, "it");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT row_security_active('factory.audit_log')")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }

    @Test
    void versionsHistoryAndAuditAreWrittenWithInsertInstead() {
        assertThat(bed.count("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + AGENT + "'")).isEqualTo(2);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + AGENT
                + "' AND snapshot->>'name' = E'tab\\there, back\\\\slash'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_history WHERE agent_id = '" + AGENT
                + "' AND entry->>'note' = E'line\\nbreak'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.audit_log WHERE entity_id = '" + AGENT + "'")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE outcome = 'APPLIED' AND entity_id = '"
                + AGENT + "'")).isEqualTo(3);
    }

    /**
     * The same eventId on two partitions of two consumer threads, both transactions past their read of
     * processed_events and waiting on the agent's row lock, held here. The second to get it appended the history entry again, and INSERT … ON CONFLICT DO NOTHING
     * dropped its dedup row without a word; now the key conflict fails it and the event is answered DUPLICATE, as on
     * COPY.
     */
    @Test
    void oneEventIdOnTwoPartitionsAtOnceTakesEffectOnce() throws Exception {
        UUID agent = UUID.randomUUID();
        try (WriteProducer producer = bed.producer()) {
            producer.send(new WriteEnvelope(UUID.randomUUID(), agent, null, "it", Instant.now(), 1,
                    new WriteCommand.AgentCreate("rls-twice", "Twice", "planner", null, null, null, null)));
            producer.flush();
        }
        bed.awaitCaughtUp(Duration.ofSeconds(60));
        WriteEnvelope append = new WriteEnvelope(UUID.randomUUID(), agent, null, "it", Instant.now(), 1,
                new WriteCommand.AgentHistoryAppend("learning", JsonNodeFactory.instance.objectNode().put("note", "once"),
                        null));
        List<Integer> oneOfEachThread = bed.awaitAgentPartitionPerMember(2, Duration.ofSeconds(60));
        try (Connection lock = bed.sql(); Statement s = lock.createStatement()) {
            lock.setAutoCommit(false);
            s.execute("SELECT 1 FROM factory.agents WHERE id = '" + agent + "' FOR UPDATE");
            for (int partition : oneOfEachThread) {
                bed.sendRaw(bed.agentTopic, partition, append.recordKey(), CODEC.encode(append));
            }
            Poll.until(Duration.ofSeconds(30), "both batches waiting on the agent's row", () -> bed.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND usename = '" + role
                            + "' AND wait_event_type = 'Lock'") == 2);
            lock.commit();
        }
        bed.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(bed.count("SELECT count(*) FROM factory.agent_history WHERE agent_id = '" + agent + "'"))
                .isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.audit_log WHERE event_id = '" + append.eventId() + "'"))
                .isEqualTo(1);
    }

    private static WriteEnvelope envelope(WriteCommand c) {
        return new WriteEnvelope(UUID.randomUUID(), AGENT, null, "it", Instant.now(), 1, c);
    }
}
