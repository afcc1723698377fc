package dev.agentfactory.worker.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;

import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.worker.writes.BatchResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The worker's meters: what it consumed, what became of each event, batch sizes, how long a batch's
 * transaction takes, the end-to-end latency (occurredAt to commit, of the events a commit decided: not duplicates
 * nor DLQ replays), failed batch attempts and the consumer lag.
 */
class IngestMetrics {

    /** Longer end-to-end latencies (a replay of year-old writes, a producer's broken clock) are not recorded. */
    static final long MAX_LATENCY_SECONDS = 366L * 24 * 3600;
    /** How long a failed batch's lag measurement waits for the broker's log ends (the broker may be what failed). */
    static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(IngestMetrics.class);

    private final Counter consumed;
    private final Map<Status, Counter> outcomes = new EnumMap<>(Status.class);
    private final Counter deadLettered;
    private final Counter expired;
    private final DistributionSummary batchSize;
    private final Timer commit;
    private final Timer endToEnd;
    /** Lag per partition held, written by the consumer that holds it, removed when it is revoked from it or lost. */
    private final PartitionLags lag = new PartitionLags();
    private final MeterRegistry registry;

    /** @param maxBatchRecords the most records a poll holds: the batch size histogram's top bucket */
    IngestMetrics(MeterRegistry registry, int maxBatchRecords) {
        this.registry = registry;
        consumed = Counter.builder("factory.ingest.consumed")
                .description("records taken off the write topics by a committed transaction, each once")
                .register(registry);
        for (Status s : Status.values()) {
            outcomes.put(s, events(registry, s.name().toLowerCase(Locale.ROOT)));
        }
        deadLettered = events(registry, "dead_lettered");
        expired = Counter.builder("factory.ingest.records.expired")
                .description("offsets retention deleted from a write topic before they were applied (ExpiredRecords)")
                .register(registry);
        // Without a maximum the histogram published Micrometer's ~280 buckets up to Long.MAX_VALUE; capped, a full
        // poll, the usual batch of a drain, would fall in +Inf only, so it gets a bucket of its own.
        batchSize = DistributionSummary.builder("factory.ingest.batch.size").description("records per polled batch")
                .publishPercentileHistogram().maximumExpectedValue((double) maxBatchRecords)
                .serviceLevelObjectives(maxBatchRecords).register(registry);
        commit = Timer.builder("factory.ingest.commit").description("one batch's database transaction, load to commit")
                .publishPercentileHistogram().register(registry);
        endToEnd = Timer.builder("factory.ingest.end_to_end").description("an event's occurredAt to its commit")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("factory.ingest.lag", lag, PartitionLags::total)
                .description("records behind the log end, summed over this instance's partitions").register(registry);
    }

    private static Counter events(MeterRegistry registry, String outcome) {
        return Counter.builder("factory.ingest.events").description("events by outcome").tag("outcome", outcome)
                .register(registry);
    }

    void polled(int records) {
        batchSize.record(records);
    }

    /**
     * One committed transaction (a batch, or one part of a split batch). Consumed counts here, not at the poll:
     * a failing batch is handed to the listener again at every retry, and a consumed count that rose with each
     * attempt would hide the stall that {@code IngestStalled} exists for. Restated records are not counted again.
     * It counts the records the transaction took, not its outcomes and dead letters: the "No write lost" SLO compares
     * the two.
     */
    void committed(BatchResult result, long nanos, Instant committedAt) {
        commit.record(nanos, TimeUnit.NANOSECONDS);
        consumed.increment(result.consumed());
        deadLettered.increment(result.deadLettered());
        // Counted per batch, not per event.
        int[] byStatus = new int[Status.values().length];
        for (BatchResult.Applied a : result.outcomes()) {
            byStatus[a.outcome().status().ordinal()]++;
            if (a.outcome().status() == Status.DUPLICATE || a.replayed()) {
                // Committed before, maybe long ago (a DLQ replay run twice, a producer resending a day later), or
                // dead-lettered then and replayed now: its age is no latency of this commit, and a replay of a
                // thousand two-day-old dead letters would page IngestSlow and burn the freshness SLO.
                continue;
            }
            Instant occurred = a.envelope().occurredAt();
            long seconds = committedAt.getEpochSecond() - occurred.getEpochSecond();
            // A writer's clock ahead of ours, or a timestamp from another era, is no latency to record.
            if (seconds >= 0 && seconds < MAX_LATENCY_SECONDS) {
                long latency = seconds * 1_000_000_000L + committedAt.getNano() - occurred.getNano();
                if (latency >= 0) {
                    endToEnd.record(latency, TimeUnit.NANOSECONDS);
                }
            }
        }
        for (Status s : Status.values()) {
            if (byStatus[s.ordinal()] > 0) {
                outcomes.get(s).increment(byStatus[s.ordinal()]);
            }
        }
    }

    /**
     * A batch attempt that failed and will be retried, by the innermost cause's class: the database or the
     * broker away, or a record that makes the worker fail. Failures that go on for long stall partitions
     * (one of them, if one record is the cause), so this is what an alert watches. A failed attempt to place newly
     * assigned partitions ({@link OffsetSeeker}) counts too: it stalls them before any batch runs.
     */
    void batchFailed(Throwable failure) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
        Counter.builder("factory.ingest.batch.failures")
                .description("batch attempts, and seeks of assigned partitions, that failed and are retried")
                .tag("exception", root.getClass().getSimpleName()).register(registry).increment();
    }

    /** Offsets below a partition's log start that the database had not yet applied: their writes are lost. */
    void expired(long offsets) {
        expired.increment(offsets);
    }

    /** After a batch committed and published: the consumer's own view, current as of its last fetch. */
    void lag(Consumer<?, ?> consumer) {
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(l -> lag.put(consumer, tp, l));
        }
    }

    /**
     * After a batch attempt failed, before its retry. The consumer is paused while the batch is retried, so its
     * cached log ends no longer move, and its position is already past the batch it has not committed: the lag is
     * measured from the batch's first offset in each of its partitions to log ends asked of the broker. Without a
     * broker answer the last values stay.
     *
     * @param uncommitted the failed batch's first offset per partition
     */
    void stalled(Consumer<?, ?> consumer, Map<TopicPartition, Long> uncommitted) {
        Set<TopicPartition> assigned = consumer.assignment();
        try {
            for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(assigned, END_OFFSETS_TIMEOUT).entrySet()) {
                TopicPartition tp = end.getKey();
                Long from = uncommitted.get(tp);
                long position = from != null ? from : consumer.position(tp, END_OFFSETS_TIMEOUT);
                lag.put(consumer, tp, Math.max(0, end.getValue() - position));
            }
        } catch (WakeupException e) {
            consumer.wakeup();    // the container's stop: its own next consumer call must still see it
        } catch (KafkaException e) {
            log.debug("lag of {} not measured: {}", assigned, e.toString());
        }
    }

    /** Partitions revoked from or lost by this consumer: no longer its lag. */
    void forget(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        lag.forget(consumer, partitions);
    }
}
