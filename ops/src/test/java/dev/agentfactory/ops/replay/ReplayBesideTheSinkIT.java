package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.StandbyApplyLock;

/**
 * A replay onto a standby whose relay sink is on (runbook step 6d, the second replay): a purge the sink commits
 * while the replay runs, with its purge floor, must not be undone by the replay's older events of that entity. The
 * sink's transaction is played here as the sink runs it (the standby apply lock, the deletes, the floor) and held
 * open until the replay has started and waits on it, so the purge lands after the replay began, every time. Own
 * database and topics on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayBesideTheSinkIT {

    private static final Instant AT = AuditEvents.CREATED;

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_beside_" + suffix;
    private final String agents = "it.ops.beside." + suffix + ".agents";
    private final String prds = "it.ops.beside." + suffix + ".prds";
    private final UUID purged = UUID.randomUUID();
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private String url;
    private List<String> replay;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        bed.publish(agents, List.of(
                AuditEvents.event("create", "agent", purged, 1L, "agents", null, AuditEvents.agentRow(purged, 1, AT),
                        100, AT),
                AuditEvents.event("update", "agent", purged, 2L, "agents", AuditEvents.agentRow(purged, 1, AT),
                        AuditEvents.agentRow(purged, 2, AT), 200, AT)));
        replay = List.of("--target=" + url, "--from-beginning");
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds));
    }

    @Test
    void aPurgeTheSinkCommitsWhileAReplayRunsIsNotUndoneByTheReplay() throws Exception {
        Map<String, String> env = bed.env(agents, prds);
        assertThat(ReplayCommand.run(replay, env)).as("the first replay of step 6d").isZero();
        assertThat(count("agents")).isEqualTo("1");

        CompletableFuture<Integer> second;
        try (Connection sink = bed.connect(url); Statement st = sink.createStatement()) {
            sink.setAutoCommit(false);
            // the relay's standby sink applying the operator's purge of the agent (at lsn 300), before its commit
            StandbyApplyLock.take(sink, StandbyApplyLock.DEFAULT_KEY, Duration.ofSeconds(10));
            st.execute("DELETE FROM factory.agent_versions WHERE agent_id = '" + purged + "'");
            st.execute("DELETE FROM factory.agents WHERE id = '" + purged + "'");
            st.execute("INSERT INTO factory.cdc_purge_floors (entity_id, entity_table, purge_lsn) VALUES ('" + purged
                    + "', 'agents', 300)");
            String sinkPid = OpsTestBed.scalar(sink, "SELECT pg_backend_pid()");

            second = CompletableFuture.supplyAsync(() -> ReplayCommand.run(replay, env));
            OpsTestBed.await(Duration.ofSeconds(30), "the second replay waiting on the sink's transaction", () ->
                    "1".equals(bed.query(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db
                            + "' AND pid <> " + sinkPid + " AND wait_event_type = 'Lock'")));
            sink.commit();
        }

        assertThat(second.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(count("agents")).as("the purged agent, brought back by the replay").isEqualTo("0");
        assertThat(count("agent_versions")).isEqualTo("0");
    }

    private String count(String table) throws Exception {
        return bed.query(url, "SELECT count(*) FROM factory." + table + " WHERE "
                + (table.equals("agents") ? "id" : "agent_id") + " = '" + purged + "'");
    }
}
