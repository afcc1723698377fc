package dev.agentfactory.ops.replay;

import static dev.agentfactory.ops.AuditEvents.agentRow;
import static dev.agentfactory.ops.AuditEvents.event;
import static dev.agentfactory.ops.AuditEvents.link;
import static dev.agentfactory.ops.AuditEvents.prdRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.OwnerDatabase;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.RowApplier;
import dev.agentfactory.store.replica.StandbyApplyLock;
import tools.jackson.databind.json.JsonMapper;

/**
 * A release the reference checks refuse, rolled back and applied again once its parent is here, as a table owner
 * without superuser rights (checks on). The merge is fed by hand, poll by poll, so the refusal happens every run;
 * through Kafka it depends on how the consumer's fetches split the partitions.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayTransactionsIT {

    private static final Instant C0 = AuditEvents.CREATED;
    private static final Instant C1 = C0.plusSeconds(2);
    private static final Instant C2 = C0.plusSeconds(1);
    private static final Instant C3 = C0.plusSeconds(3);
    private static final TopicPartition AGENTS = new TopicPartition("agents", 0);
    private static final TopicPartition PRDS = new TopicPartition("prds", 0);

    private OpsTestBed bed;
    @AutoClose
    private OwnerDatabase target;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        String name = "it_ops_replay_tx_" + OpsTestBed.suffix();
        target = bed.ownerDatabase(name, name);
        url = target.url();
    }

    /**
     * Source transaction T1 creates agent A (lsn 150) and links it to PRD P (lsn 300); T2 creates X at lsn 350 and
     * commits first, so the agents partition delivers X before A and the link is released ahead of A.
     */
    @Test
    void aRefusedThenRetriedReleaseCountsTheRowImagesItCommittedOnce() throws Exception {
        UUID p = UUID.randomUUID();
        UUID a = UUID.randomUUID();
        try (Connection c = target.connectAsOwner()) {
            c.setAutoCommit(false);
            RowApplier rows = new RowApplier(c, JsonMapper.builder().build());
            WatermarkMerge<TopicPartition> merge = new WatermarkMerge<>(List.of(AGENTS, PRDS));
            ReplayTransactions batches = new ReplayTransactions(c, rows, merge, StandbyApplyLock.DEFAULT_KEY);

            merge.add(PRDS, event("create", "prd", p, 1L, "prds", null, prdRow(p, 1), 100, C0));
            merge.add(PRDS, event("link", "prd", p, null, "prd_agents", null, link(p, a, C1), 300, C1));
            merge.add(AGENTS, agent(UUID.randomUUID(), 350, C2));
            assertThat(batches.applyReleased()).as("P and the link, refused: A is not here yet").isZero();
            merge.add(AGENTS, agent(a, 150, C1));
            assertThat(batches.applyReleased()).as("waits for a change committed after T1 on every partition")
                    .isZero();
            merge.add(AGENTS, agent(UUID.randomUUID(), 400, C3));
            merge.close(PRDS);
            assertThat(batches.applyReleased()).as("P, A, the link, X; then the later agent").isEqualTo(5);
            merge.close(AGENTS);
            assertThat(batches.applyRest()).isZero();

            assertThat(bed.query(url, "SELECT agent_id::text FROM factory.prd_agents")).isEqualTo(a.toString());
            String committed = bed.query(url, "SELECT (SELECT count(*) FROM factory.agents)"
                    + " + (SELECT count(*) FROM factory.agent_versions) + (SELECT count(*) FROM factory.prds)"
                    + " + (SELECT count(*) FROM factory.prd_versions) + (SELECT count(*) FROM factory.prd_agents)"
                    + " + (SELECT count(*) FROM factory.processed_events)");
            assertThat(committed).as("rows: 3 agents, 1 PRD, their versions and dedup records, 1 link").isEqualTo("13");
            assertThat(rows.applied()).as("handed to the applier, the refused try included").isEqualTo(17);
            assertThat(batches.rowImages()).as("the replay's rowImages figure").isEqualTo(13);
        }
    }

    private static Map<String, Object> agent(UUID id, long lsn, Instant at) {
        return event("create", "agent", id, 1L, "agents", null, agentRow(id, 1, at), lsn, at);
    }
}
