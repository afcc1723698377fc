package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.EventIds;
import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.worker.MigratedDatabase;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The batch processor against a real database, driven without Kafka: what a poll's records become.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchProcessorIT {

    private static final String TOPIC = "it.batch-processor";

    private MigratedDatabase database;
    private BatchProcessor processor;

    @BeforeAll
    void database(StackEndpoints endpoints, LocalStack stack) {
        database = new MigratedDatabase(stack, endpoints, "it_worker_batch_" + Long.toString(System.currentTimeMillis(), 36));
        var ds = database.dataSource();
        processor = new BatchProcessor(ds, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                new OffsetStore("batch-processor"), Clock.systemUTC(), 1_200_000, 100_000_000);
    }

    @AfterAll
    void dropDatabase() {
        database.close();
    }

    /**
     * A poll delivered again (the worker died after its commit, before publishing) restates the stored outcomes of its
     * records: a producer's retry of an eventId, answered DUPLICATE the first time, is DUPLICATE again. Also when the
     * poll is split because a fresh record in it is refused by the database: each part used to decide on its own
     * which record of the eventId came first, so the retry, alone in its part, was restated APPLIED.
     */
    @Test
    void aRetriedEventIdIsRestatedDuplicateAlsoWhenTheRedeliveredPollIsSplit() {
        WriteEnvelope create = create("split-redelivery", "planner");
        List<Item> first = List.of(item(0, create), item(1, create));
        assertThat(statuses(processor.process(first, invalid -> { }, (r, nanos) -> { }).outcomes()))
                .containsExactly(Status.APPLIED, Status.DUPLICATE);

        // jsonb takes no U+0000, which JSON allows: the database refuses the poll, which is split to isolate it
        WriteEnvelope refused = WriteEnvelope.of(UUID.randomUUID(), null, "it", new WriteCommand.AgentCreate(
                "split-nul", "N", "planner", null, JsonNodeFactory.instance.objectNode().put("k", "a\u0000b"), null, null));
        BatchResult again = processor.process(List.of(item(0, create), item(1, create), item(2, refused)),
                invalid -> { }, (r, nanos) -> { });

        assertThat(statuses(again.restated())).containsExactly(Status.APPLIED, Status.DUPLICATE);
        assertThat(statuses(again.outcomes())).containsExactly(Status.REJECTED);
    }

    /**
     * Which record of an eventId came first is decided among the records below their partitions' stored offsets: a
     * fresh copy of a committed eventId earlier in the poll (which only a producer's bug puts on another partition)
     * leaves the committed record restated APPLIED, not DUPLICATE; the fresh copy is answered DUPLICATE.
     */
    @Test
    void aCommittedRecordIsRestatedAppliedThoughAFreshCopyOfItsEventIdComesFirstInThePoll() {
        WriteEnvelope create = create("fresh-copy-first", "planner");
        processor.process(List.of(item(1, 3, create)), invalid -> { }, (r, nanos) -> { });

        BatchResult again = processor.process(List.of(item(2, 20, create), item(1, 3, create)), invalid -> { },
                (r, nanos) -> { });

        assertThat(statuses(again.restated())).containsExactly(Status.APPLIED);
        assertThat(statuses(again.outcomes())).containsExactly(Status.DUPLICATE);
    }

    /**
     * Consumed counts the records a transaction takes for the first time, apart from what becomes of them: those at or
     * above their partitions' stored offsets; below them (a redelivery), an earlier delivery counted them, except a
     * record there that was never applied (a recreated topic, another cluster's offsets), which gets its first outcome
     * now and is consumed now, so that consumed and outcomes still agree.
     */
    @Test
    void consumedIsTheRecordsTakenForTheFirstTime() {
        WriteEnvelope create = create("consumed-once", "planner");
        BatchResult first = processor.process(List.of(item(4, 0, create), invalid(4, 1)), invalid -> { },
                (r, nanos) -> { });
        assertThat(first.consumed()).isEqualTo(2);

        WriteEnvelope next = create("consumed-next", "planner");
        BatchResult again = processor.process(List.of(item(4, 0, create), invalid(4, 1), item(4, 2, next)),
                invalid -> { }, (r, nanos) -> { });
        assertThat(again.consumed()).as("the new record only").isEqualTo(1);
        assertThat(again.restated()).hasSize(1);

        BatchResult neverApplied = processor.process(List.of(item(4, 1, create("never-applied", "planner"))),
                invalid -> { }, (r, nanos) -> { });
        assertThat(statuses(neverApplied.outcomes())).containsExactly(Status.APPLIED);
        assertThat(neverApplied.consumed()).isEqualTo(1);
    }

    /** A record {@code ops dlq-replay} sent again is marked so, and its outcome is not timed from its occurredAt. */
    @Test
    void theOutcomeOfAReplayedDeadLetterIsMarkedReplayed() {
        Item replayed = item(5, 0, create("replayed", "planner"));
        replayed.record().headers().add(DlqHeaders.REPLAY_COUNT, "1".getBytes(StandardCharsets.UTF_8));

        BatchResult result = processor.process(List.of(replayed, item(5, 1, create("produced", "planner"))),
                invalid -> { }, (r, nanos) -> { });

        assertThat(result.outcomes()).extracting(BatchResult.Applied::replayed).containsExactly(true, false);
    }

    /**
     * Timestamps are read back in the proleptic Gregorian calendar PostgreSQL keeps them in: {@code getTimestamp} went
     * through Java's Julian calendar before 1582-10-15, and a later version's snapshot moved the agent's creation
     * by ten days.
     */
    @Test
    void anAgentCreatedBeforeTheGregorianReformKeepsItsCreationTimeInLaterSnapshots() throws Exception {
        UUID agent = UUID.randomUUID();
        WriteEnvelope create = new WriteEnvelope(EventIds.next(), agent, null, "it", Instant.parse("1500-01-01T00:00:00Z"),
                WriteEnvelope.SCHEMA_VERSION, new WriteCommand.AgentCreate("julian", "J", "planner", null, null, null, null));
        processor.process(List.of(item(3, 10, create)), invalid -> { }, (r, nanos) -> { });
        WriteEnvelope update = WriteEnvelope.of(agent, 1L, "it", new WriteCommand.AgentUpdate(
                JsonNodeFactory.instance.objectNode().put("name", "Jules")));
        assertThat(statuses(processor.process(List.of(item(3, 11, update)), invalid -> { }, (r, nanos) -> { }).outcomes()))
                .containsExactly(Status.APPLIED);

        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT snapshot->>'created_at' FROM factory.agent_versions WHERE agent_id = ? ORDER BY version")) {
            ps.setObject(1, agent);
            List<Instant> created = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    created.add(Instant.parse(rs.getString(1)));
                }
            }
            assertThat(created).containsExactly(create.occurredAt(), create.occurredAt());
        }
    }

    private static WriteEnvelope create(String slug, String kind) {
        return WriteEnvelope.of(UUID.randomUUID(), null, "it", new WriteCommand.AgentCreate(slug, "A", kind, null, null,
                null, null));
    }

    private static Item item(long offset, WriteEnvelope e) {
        return item(0, offset, e);
    }

    private static Item item(int partition, long offset, WriteEnvelope e) {
        return new Item(new ConsumerRecord<>(TOPIC, partition, offset, e.recordKey().getBytes(StandardCharsets.UTF_8),
                new byte[0]), e, null);
    }

    private static Item invalid(int partition, long offset) {
        return new Item(new ConsumerRecord<>(TOPIC, partition, offset, null, new byte[0]), null,
                new InvalidWriteException(InvalidWriteException.Reason.MALFORMED_JSON, "no JSON"));
    }

    private static List<Status> statuses(List<BatchResult.Applied> outcomes) {
        return outcomes.stream().map(a -> a.outcome().status()).toList();
    }
}
