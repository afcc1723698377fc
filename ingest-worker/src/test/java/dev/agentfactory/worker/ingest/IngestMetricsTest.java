package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.worker.writes.BatchResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class IngestMetricsTest {

    private static final int MAX_BATCH_RECORDS = 2_000;
    private static final Instant COMMITTED = Instant.parse("2026-11-27T10:00:00.250Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(registry, MAX_BATCH_RECORDS);

    @Test
    void aCommittedBatchCountsEachOutcomeAndTimesEachEventItDecidedFromItsOccurrence() {
        BatchResult batch = new BatchResult(List.of(
                applied(Status.APPLIED, "2026-11-27T10:00:00.100Z"),
                applied(Status.APPLIED, "2026-11-27T09:59:59.750Z"),
                applied(Status.CONFLICT, "2026-11-27T10:00:00.200Z"),
                // A writer's clock ahead of ours, within the second and beyond: counted, but no negative latency.
                applied(Status.REJECTED, "2026-11-27T10:00:00.300Z"),
                applied(Status.REJECTED, "2026-11-27T10:00:01Z"),
                // Nor one from another era.
                applied(Status.APPLIED, "1900-01-01T00:00:00Z"),
                // Nor a duplicate: committed before (here an hour ago), not by this commit.
                applied(Status.DUPLICATE, "2026-11-27T09:00:00Z")), 3, List.of(), 10);

        metrics.committed(batch, TimeUnit.MILLISECONDS.toNanos(7), COMMITTED);

        assertThat(events("applied")).isEqualTo(3);
        assertThat(events("conflict")).isEqualTo(1);
        assertThat(events("rejected")).isEqualTo(2);
        assertThat(events("duplicate")).isEqualTo(1);
        assertThat(events("dead_lettered")).isEqualTo(3);
        var endToEnd = registry.get("factory.ingest.end_to_end").timer();
        assertThat(endToEnd.count()).isEqualTo(3);
        assertThat(endToEnd.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(150 + 500 + 50);
        assertThat(endToEnd.max(TimeUnit.MILLISECONDS)).isEqualTo(500);
        assertThat(registry.get("factory.ingest.commit").timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(7);
    }

    @Test
    void consumedCountsEachCommittedRecordOnceNotEachAttemptNorARestatement() {
        // The same batch of five handed to the listener three times: two failed attempts, then the commit, of
        // three outcomes and one dead letter, plus one record an earlier delivery committed (restated).
        metrics.polled(5);
        metrics.polled(5);
        metrics.polled(5);
        assertThat(consumed()).as("nothing consumed while the batch fails").isZero();

        metrics.committed(new BatchResult(List.of(applied(Status.APPLIED, "2026-11-27T10:00:00Z"),
                applied(Status.DUPLICATE, "2026-11-27T10:00:00Z"), applied(Status.CONFLICT, "2026-11-27T10:00:00Z")),
                1, List.of(applied(Status.APPLIED, "2026-11-27T10:00:00Z")), 4), 1, COMMITTED);

        assertThat(consumed()).isEqualTo(4);
        assertThat(registry.get("factory.ingest.batch.size").summary().count()).as("polls").isEqualTo(3);
    }

    /**
     * The "No write lost" SLO compares consumed with outcomes and dead letters: consumed is what the transaction took
     * off the log, so a record taken that got neither shows there, as it could not when consumed was their sum.
     */
    @Test
    void consumedCountsTheRecordsATransactionTookNotTheOutcomesAndDeadLettersItGaveThem() {
        metrics.committed(new BatchResult(List.of(applied(Status.APPLIED, "2026-11-27T10:00:00Z"),
                applied(Status.REJECTED, "2026-11-27T10:00:00Z")), 1, List.of(), 4), 1, COMMITTED);

        assertThat(consumed()).isEqualTo(4);
        assertThat(registry.find("factory.ingest.events").counters().stream().mapToDouble(c -> c.count()).sum())
                .isEqualTo(3);
    }

    /** Dead-lettered, maybe days ago, and replayed now that its cause is fixed: its age is no latency of the worker. */
    @Test
    void aReplayedDeadLetterThatAppliesIsCountedButNotTimedFromItsOccurrence() {
        BatchResult.Applied replayed = applied(Status.APPLIED, "2026-11-25T10:00:00Z");
        metrics.committed(new BatchResult(List.of(new BatchResult.Applied(replayed.envelope(), replayed.outcome(),
                true), applied(Status.APPLIED, "2026-11-27T10:00:00.200Z")), 0, List.of(), 2), 1, COMMITTED);

        assertThat(events("applied")).isEqualTo(2);
        var endToEnd = registry.get("factory.ingest.end_to_end").timer();
        assertThat(endToEnd.count()).isEqualTo(1);
        assertThat(endToEnd.max(TimeUnit.MILLISECONDS)).isEqualTo(50);
    }

    @Test
    void aFailedBatchAttemptIsCountedByItsInnermostCause() {
        metrics.batchFailed(new IllegalStateException("listener", new RuntimeException(new SQLException("down"))));
        metrics.batchFailed(new SQLException("down again"));
        metrics.batchFailed(new TimeoutException("broker"));

        assertThat(registry.get("factory.ingest.batch.failures").tag("exception", "SQLException").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("factory.ingest.batch.failures").tag("exception", "TimeoutException").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("factory.ingest.batch.failures").counters()).hasSize(2);
    }

    @Test
    void theBatchSizeHistogramEndsAtAFullPollWhichHasABucketOfItsOwn() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new IngestMetrics(prometheus, MAX_BATCH_RECORDS).polled(MAX_BATCH_RECORDS);

        List<String> buckets = prometheus.scrape().lines().filter(l -> l.startsWith("factory_ingest_batch_size_bucket"))
                .toList();
        assertThat(buckets).as("no buckets up to Long.MAX_VALUE").hasSizeLessThan(100).endsWith(
                "factory_ingest_batch_size_bucket{le=\"1706.0\"} 0",
                "factory_ingest_batch_size_bucket{le=\"" + MAX_BATCH_RECORDS + ".0\"} 1",
                "factory_ingest_batch_size_bucket{le=\"+Inf\"} 1");
    }

    @Test
    void outcomeTagsAreTheSameInATurkishLocale() {
        SimpleMeterRegistry turkish = new SimpleMeterRegistry();
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            new IngestMetrics(turkish, MAX_BATCH_RECORDS);
        } finally {
            Locale.setDefault(before);
        }
        assertThat(turkish.find("factory.ingest.events").counters()).extracting(c -> c.getId().getTag("outcome"))
                .containsExactlyInAnyOrder("applied", "duplicate", "conflict", "rejected", "dead_lettered");
    }

    private double consumed() {
        return registry.get("factory.ingest.consumed").counter().count();
    }

    private double events(String outcome) {
        return registry.get("factory.ingest.events").tag("outcome", outcome).counter().count();
    }

    private static BatchResult.Applied applied(Status status, String occurredAt) {
        UUID entity = UUID.randomUUID();
        WriteEnvelope envelope = new WriteEnvelope(UUID.randomUUID(), entity, null, "it", Instant.parse(occurredAt),
                WriteEnvelope.SCHEMA_VERSION, new WriteCommand.AgentDelete());
        return new BatchResult.Applied(envelope, new WriteOutcome(envelope.eventId(), "agent", entity, "agent.delete",
                status, 1L, null, null, COMMITTED));
    }
}
