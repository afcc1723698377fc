package dev.agentfactory.worker.ingest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says when retention deleted writes before the worker applied them: an ERROR naming the offsets lost, and
 * {@code factory.ingest.records.expired}. They used to be lost silently. A partition stalled longer than its topic's
 * {@code retention.ms} (the database down that long, the worker scaled to zero) resumes below its log's start,
 * {@code auto.offset.reset} moves the consumer to the start with an INFO line, and the first batch there advances
 * the stored offset past the gap: those writes get no effect, outcome or dead letter.
 * <p>
 * Only the log's start proves it. Offsets have legitimate gaps (transaction markers, aborted or compacted records),
 * so a batch that begins above its partition's stored offset is looked into, never counted as such: what is counted
 * is the range from the stored offset to the log's start, and no further than the batch's first record (read, so not
 * lost, whatever retention deleted after). Checked on assignment, and after each batch (a stall longer than the
 * retention while assigned). A range is reported once per instance: another instance assigned the partition before
 * a batch commits past the range reports it again.
 * <p>
 * One case it cannot tell: a producer using transactions (none of this project's do) leaves a commit marker after its
 * last record, and the stored offset can point at that marker; if the partition then stays quiet longer than the
 * retention, the marker is deleted with the records and its one offset is reported. The ERROR's range says so.
 */
final class ExpiredRecords {

    /** How long a batch's check waits for the log starts of its partitions: it only reports, and the broker may lag. */
    static final Duration LOG_START_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ExpiredRecords.class);

    private final IngestMetrics metrics;
    /** Per partition, the end of the last range reported, so the first batch after an assignment does not repeat it. */
    private final Map<TopicPartition, Long> reported = new ConcurrentHashMap<>();

    ExpiredRecords(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * On assignment, once the partitions are placed.
     *
     * @param stored    the database's offsets of the assigned partitions it has one for
     * @param logStarts the first offset of each assigned partition's log
     */
    void onAssignment(Map<TopicPartition, Long> stored, Map<TopicPartition, Long> logStarts) {
        stored.forEach((tp, offset) -> report(tp, offset, logStarts.get(tp)));
    }

    /**
     * After a batch's transaction (all of it, or a part of a split one) committed.
     *
     * @param storedBelow  for each partition whose records in the transaction began above the offset stored for it,
     *                     that offset
     * @param firstOffsets the polled batch's first offset in each of its partitions
     */
    void afterBatch(Consumer<?, ?> consumer, Map<TopicPartition, Long> storedBelow,
                    Map<TopicPartition, Long> firstOffsets) {
        Map<TopicPartition, Long> logStarts;
        try {
            logStarts = consumer.beginningOffsets(storedBelow.keySet(), LOG_START_TIMEOUT);
        } catch (KafkaException e) {
            if (e instanceof WakeupException) {
                consumer.wakeup();    // the container's stop: its own next consumer call must still see it
            }
            // The stored offsets are past the gap now: nothing else will look at it again.
            log.warn("batches of {} began above their stored offsets {}; whether retention deleted what lies between "
                    + "is unknown (their log starts could not be read: {})", storedBelow.keySet(), storedBelow,
                    e.toString());
            return;
        }
        storedBelow.forEach((tp, offset) -> report(tp, offset, Math.min(logStarts.get(tp), firstOffsets.get(tp))));
    }

    private void report(TopicPartition tp, long stored, long logStart) {
        // One step: an evicted thread's after-batch check and the new owner's assignment check may race on a range.
        long[] start = {-1};
        reported.compute(tp, (k, last) -> {
            long from = Math.max(stored, last == null ? 0 : last);
            if (logStart <= from) {
                return last;
            }
            start[0] = from;
            return logStart;
        });
        long from = start[0];
        if (from < 0) {
            return;
        }
        log.error("{}@{}..{}: {} offsets deleted by retention before they were applied; their writes are lost (no "
                + "effect, outcome or dead letter) unless a replay after a database restore brought them: their "
                + "producers must send them again (docs/runbooks.md, \"Writes expired before the worker applied "
                + "them\")", tp, from, logStart - 1, logStart - from);
        metrics.expired(logStart - from);    // after the ERROR: whoever sees the count finds the range logged
    }
}
