package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What counts as writes retention deleted before they were applied: from the stored offset to the log's start, never
 * a gap the log has anyway (transaction markers, compaction), nor records the batch read, and each range once.
 */
class ExpiredRecordsTest {

    private static final TopicPartition P0 = new TopicPartition("writes", 0);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExpiredRecords expired = new ExpiredRecords(new IngestMetrics(registry, 1_000));
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");

    private double counted() {
        return registry.get("factory.ingest.records.expired").counter().count();
    }

    /** What a batch of one partition counts. */
    private double countedAfterBatch(long stored, long batchFirst, long logStart) {
        consumer.assign(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, logStart));
        expired.afterBatch(consumer, Map.of(P0, stored), Map.of(P0, batchFirst));
        return counted();
    }

    @Test
    void aBatchBeginningAboveItsStoredOffsetCountsWhatLiesBelowTheLogsStart() {
        assertThat(countedAfterBatch(10, 30, 30)).isEqualTo(20);
    }

    @Test
    void aGapInALogThatStillHoldsTheStoredOffsetIsNoLoss() {
        // offsets 10 and 11 were transaction markers, or compacted away
        assertThat(countedAfterBatch(10, 12, 5)).isZero();
    }

    @Test
    void recordsTheBatchReadAreNotCountedWhateverRetentionDeletedSince() {
        assertThat(countedAfterBatch(10, 30, 45)).isEqualTo(20);
    }

    @Test
    void aRangeReportedOnAssignmentIsNotCountedAgainByTheFirstBatch() {
        expired.onAssignment(Map.of(P0, 10L), Map.of(P0, 30L));
        assertThat(countedAfterBatch(10, 30, 30)).isEqualTo(20);
    }

    @Test
    void aStoredOffsetInsideTheLogOnAssignmentCountsNothing() {
        expired.onAssignment(Map.of(P0, 30L), Map.of(P0, 30L));
        assertThat(counted()).isZero();
    }
}
