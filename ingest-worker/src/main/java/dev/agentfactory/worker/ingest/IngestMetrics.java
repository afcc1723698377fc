package dev.agentfactory.worker.ingest;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.stereotype.Component;

import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.worker.writes.BatchResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The worker's meters: what it consumed, what became of each event, batch sizes, how long a batch's
 * transaction takes, the end-to-end latency (occurredAt to commit), failed batch attempts and the consumer lag.
 */
@Component
class IngestMetrics {

    /** Longer end-to-end latencies (a replay of year-old writes, a producer's broken clock) are not recorded. */
    static final long MAX_LATENCY_SECONDS = 366L * 24 * 3600;

    private final Counter consumed;
    private final Map<Status, Counter> outcomes = new EnumMap<>(Status.class);
    private final Counter deadLettered;
    private final DistributionSummary batchSize;
    private final Timer commit;
    private final Timer endToEnd;
    /** Lag per consumer thread (each owns its partitions); the gauge is their sum. */
    private final Map<String, Long> lagByThread = new ConcurrentHashMap<>();
    private final AtomicLong lagTotal = new AtomicLong();
    private final MeterRegistry registry;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        consumed = Counter.builder("factory.ingest.consumed").description("records polled from the write topics")
                .register(registry);
        for (Status s : Status.values()) {
            outcomes.put(s, events(registry, s.name().toLowerCase()));
        }
        deadLettered = events(registry, "dead_lettered");
        batchSize = DistributionSummary.builder("factory.ingest.batch.size").description("records per polled batch")
                .publishPercentileHistogram().register(registry);
        commit = Timer.builder("factory.ingest.commit").description("one batch's database transaction, load to commit")
                .publishPercentileHistogram().register(registry);
        endToEnd = Timer.builder("factory.ingest.end_to_end").description("an event's occurredAt to its commit")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("factory.ingest.lag", lagTotal, AtomicLong::get)
                .description("records behind the log end, summed over this instance's partitions").register(registry);
    }

    private static Counter events(MeterRegistry registry, String outcome) {
        return Counter.builder("factory.ingest.events").description("events by outcome").tag("outcome", outcome)
                .register(registry);
    }

    void polled(int records) {
        consumed.increment(records);
        batchSize.record(records);
    }

    void committed(BatchResult result, long nanos, Instant committedAt) {
        commit.record(nanos, TimeUnit.NANOSECONDS);
        deadLettered.increment(result.deadLettered());
        // Counted per batch, not per event.
        int[] byStatus = new int[Status.values().length];
        for (BatchResult.Applied a : result.outcomes()) {
            byStatus[a.outcome().status().ordinal()]++;
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
     * (one of them, if one record is the cause), so this is what an alert watches.
     */
    void batchFailed(Throwable failure) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
        Counter.builder("factory.ingest.batch.failures").description("batch attempts that failed and are retried")
                .tag("exception", root.getClass().getSimpleName()).register(registry).increment();
    }

    void lag(Consumer<?, ?> consumer) {
        long sum = 0;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(tp);
            sum += lag.orElse(0);
        }
        lagByThread.put(Thread.currentThread().getName(), sum);
        lagTotal.set(lagByThread.values().stream().mapToLong(Long::longValue).sum());
    }
}
