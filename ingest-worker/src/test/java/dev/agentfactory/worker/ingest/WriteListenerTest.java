package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.worker.dlq.DeadLetterPublisher;
import dev.agentfactory.worker.results.OutcomePublisher;
import dev.agentfactory.worker.writes.BatchProcessor;
import dev.agentfactory.worker.writes.BatchResult;
import dev.agentfactory.worker.writes.BatchSqlException;
import dev.agentfactory.worker.writes.CommitListener;
import dev.agentfactory.worker.writes.Item;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class WriteListenerTest {

    private static final TopicPartition P0 = new TopicPartition("writes", 0);
    private static final TopicPartition P1 = new TopicPartition("writes", 1);
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(registry, 2_000);
    private final BatchProcessor processor = mock(BatchProcessor.class);
    private final WriteListener listener = new WriteListener(new WriteCodec(), new RecordRouting("writes", "prd"),
            processor, mock(DeadLetterPublisher.class), mock(OutcomePublisher.class), metrics,
            new ExpiredRecords(metrics), Clock.fixed(NOW, ZoneOffset.UTC));
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");

    @BeforeEach
    void aConsumerPastABatchOfTenOnPartitionZero() {
        consumer.assign(List.of(P0, P1));
        consumer.updateEndOffsets(Map.of(P0, 100L, P1, 50L));
        consumer.seek(P0, 40);
        consumer.seek(P1, 50);
    }

    private static ConsumerRecord<byte[], byte[]> at(String topic, int partition, long offset) {
        return new ConsumerRecord<>(topic, partition, offset, null, null);
    }

    @Test
    void aFailedBatchIsLocatedByTheOffsetRangeOfEachOfItsPartitions() {
        assertThat(WriteListener.positions(List.of(at("writes", 3, 17), at("prd", 0, 5), at("writes", 3, 19),
                at("writes", 1, 4), at("writes", 3, 18)))).isEqualTo("prd-0@5, writes-1@4, writes-3@17..19");
    }

    @Test
    void aValidEnvelopeKeyedOtherwiseOrOnTheOtherEntitysTopicIsHandedOnAsInvalidWithItsReason() {
        WriteCodec codec = new WriteCodec();
        WriteEnvelope agentWrite = WriteEnvelope.of(UUID.randomUUID(), null, "it", new WriteCommand.AgentDelete());
        WriteEnvelope prdWrite = WriteEnvelope.of(UUID.randomUUID(), null, "it", new WriteCommand.PrdDelete());
        List<ConsumerRecord<byte[], byte[]>> records = List.of(
                new ConsumerRecord<>("writes", 0, 40L, bytes(agentWrite.recordKey()), codec.encode(agentWrite)),
                new ConsumerRecord<>("writes", 0, 41L, bytes(agentWrite.eventId().toString()),
                        codec.encode(agentWrite)),
                new ConsumerRecord<>("writes", 0, 42L, bytes(prdWrite.recordKey()), codec.encode(prdWrite)));
        List<Item> handed = new ArrayList<>();
        when(processor.process(any(), any(), any())).thenAnswer(call -> {
            handed.addAll(call.getArgument(0));
            return new BatchResult(List.of(), 2, List.of(), 3);
        });

        listener.onMessage(records, consumer);

        assertThat(handed).extracting(i -> i.invalid() == null ? "valid" : i.invalid().reason().wireName())
                .containsExactly("valid", "wrong_key", "wrong_topic");
    }

    @Test
    void whileABatchFailsItsLagIsMeasuredFromItsFirstOffsetToTheLogEndAsTheLogGrows() {
        when(processor.process(any(), any(), any())).thenThrow(transientFailure());

        assertThatThrownBy(() -> listener.onMessage(batch(30, 10), consumer)).isInstanceOf(BatchSqlException.class);
        assertThat(lag()).as("the ten uncommitted records and the sixty behind them").isEqualTo(70);

        consumer.updateEndOffsets(Map.of(P0, 150L));
        assertThatThrownBy(() -> listener.onMessage(batch(30, 10), consumer)).isInstanceOf(BatchSqlException.class);
        assertThat(lag()).as("records produced during the outage").isEqualTo(120);
        assertThat(consumed()).isZero();
    }

    @Test
    void theHalvesOfASplitBatchThatCommittedAreCountedOnceWhenALaterHalfFails() {
        BatchResult firstHalf = new BatchResult(List.of(applied(), applied(), applied()), 2, List.of(), 5);
        when(processor.process(any(), any(), any())).thenAnswer(call -> {
            call.<CommitListener>getArgument(2).committed(firstHalf, 1_000_000);
            throw transientFailure();
        });
        assertThatThrownBy(() -> listener.onMessage(batch(30, 10), consumer)).isInstanceOf(BatchSqlException.class);

        // The retry: the first half is below the stored offsets now, restated and not counted; the rest commits.
        BatchResult rest = new BatchResult(List.of(applied(), applied(), applied(), applied(), applied()), 0,
                firstHalf.outcomes(), 5);
        doAnswer(call -> {
            call.<CommitListener>getArgument(2).committed(rest, 1_000_000);
            return rest;
        }).when(processor).process(any(), any(), any());
        listener.onMessage(batch(30, 10), consumer);

        assertThat(consumed()).isEqualTo(10);
        assertThat(registry.get("factory.ingest.events").tag("outcome", "applied").counter().count()).isEqualTo(8);
        assertThat(registry.get("factory.ingest.events").tag("outcome", "dead_lettered").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("factory.ingest.commit").timer().count()).as("one per transaction").isEqualTo(2);
        assertThat(lag()).as("committed: the consumer's own view").isEqualTo(60);
    }

    @Test
    void writesRetentionDeletedAreReportedAsTheTransactionPastThemCommitsThoughALaterHalfFails() {
        consumer.updateBeginningOffsets(Map.of(P0, 30L));
        // the first half moved the stored offset from 10 past 30: the retry would find no gap to report
        BatchResult firstHalf = new BatchResult(List.of(applied()), 0, List.of(), 1, Map.of(P0, 10L));
        when(processor.process(any(), any(), any())).thenAnswer(call -> {
            call.<CommitListener>getArgument(2).committed(firstHalf, 1_000_000);
            throw transientFailure();
        });

        assertThatThrownBy(() -> listener.onMessage(batch(30, 10), consumer)).isInstanceOf(BatchSqlException.class);
        assertThat(registry.get("factory.ingest.records.expired").counter().count()).as("offsets 10 to 29")
                .isEqualTo(20);
    }

    @Test
    void aRevokedPartitionNoLongerCountsInTheLag() {
        metrics.lag(consumer);
        assertThat(lag()).isEqualTo(60);

        new PartitionLagRelease(new ConsumerAwareRebalanceListener() { }, metrics)
                .onPartitionsRevokedAfterCommit(consumer, List.of(P0));
        assertThat(lag()).isZero();
        consumer.assign(List.of(P1));
        consumer.seek(P1, 50);
        consumer.updateEndOffsets(Map.of(P1, 55L));
        metrics.lag(consumer);
        assertThat(lag()).isEqualTo(5);
    }

    /**
     * A consumer thread evicted after a slow batch still holds its old assignment: it measures it after that batch,
     * and lets it go as lost at its next poll. Meanwhile the instance's other thread was assigned the partition.
     */
    @Test
    void aPartitionLostByAnEvictedThreadKeepsTheLagItsNewOwnerMeasured() {
        MockConsumer<byte[], byte[]> newOwner = new MockConsumer<>("earliest");
        newOwner.assign(List.of(P0));
        newOwner.updateEndOffsets(Map.of(P0, 100L));
        newOwner.seek(P0, 90);
        metrics.lag(newOwner);
        assertThat(lag()).isEqualTo(10);

        metrics.lag(consumer);    // the evicted thread, after its batch: its older view of P0 (60) and of P1 (0)
        assertThat(lag()).as("P0 counted once").isEqualTo(60);
        new PartitionLagRelease(new ConsumerAwareRebalanceListener() { }, metrics)
                .onPartitionsLost(consumer, List.of(P0, P1));

        assertThat(lag()).as("the new owner's").isEqualTo(10);
    }

    private static List<ConsumerRecord<byte[], byte[]>> batch(long first, int n) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new ConsumerRecord<>(P0.topic(), P0.partition(), first + i, null,
                    "not an envelope".getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static BatchSqlException transientFailure() {
        return new BatchSqlException(new SQLException("connection lost", "08006"));
    }

    private static BatchResult.Applied applied() {
        WriteEnvelope e = new WriteEnvelope(UUID.randomUUID(), UUID.randomUUID(), null, "it", NOW,
                WriteEnvelope.SCHEMA_VERSION, new WriteCommand.AgentDelete());
        return new BatchResult.Applied(e, new WriteOutcome(e.eventId(), "agent", e.entityId(), "agent.delete",
                Status.APPLIED, 2L, null, null, NOW));
    }

    private double lag() {
        return registry.get("factory.ingest.lag").gauge().value();
    }

    private double consumed() {
        return registry.get("factory.ingest.consumed").counter().count();
    }
}
