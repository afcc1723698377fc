package dev.agentfactory.worker.ingest;

import java.sql.Connection;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

import dev.agentfactory.worker.writes.OffsetStore;

/**
 * On partition assignment, positions each partition at the lower of the offset stored in the database
 * with the rows and Kafka's committed offset. Kafka's is normally the lower one (it is committed after
 * the outcomes are published): the records in between are already applied, so the batch transaction
 * skips their effects and publishes their stored outcomes again. The database's is lower after a restore
 * from backup, and then those writes are applied again. A partition Kafka has an offset for and the database
 * has none is one the database never saw committed (a backup taken before its first write, a new database):
 * it starts at the log's beginning, where eventIds answer what was applied. One the database has an offset for and
 * Kafka none starts one batch before the database's offset, if {@link StoredLogCheck} shows the log is the one that
 * offset was stored from, and at its beginning if not. Without either offset, {@code auto.offset.reset} applies
 * ({@code earliest}, always). A stored offset below its log's start is reported ({@link ExpiredRecords}): retention
 * deleted writes the database never applied. Partitions that look added to their topic are warned of
 * ({@link AddedPartitions}).
 * <p>
 * A failure to read either offset, or the records below the stored one ({@link StoredLogCheck}), is retried with the
 * batches' backoff until it succeeds: consuming from
 * Kafka's offset instead would skip, for good, whatever the database lacks between the two. The consumer thread
 * waits in the meantime, as it would on its first batch; past {@code max.poll.interval.ms} it leaves the group,
 * its partitions move, and it is assigned afresh (and read again) once it polls. A container stop (or an interrupt)
 * ends the attempts with the partitions paused and placed at their log's beginning, never at Kafka's offset: Spring's
 * batch retry resumes every assigned partition when it ends, and a later poll fetches from the beginning, where
 * eventIds answer what was applied.
 */
final class OffsetSeeker implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(OffsetSeeker.class);

    private final DataSource dataSource;
    private final OffsetStore offsets;
    private final int batchRecords;
    private final BackOff backOff;
    private final BooleanSupplier running;
    private final StoredLogCheck logCheck;
    private final IngestMetrics metrics;
    private final ExpiredRecords expired;

    /**
     * @param batchRecords the most records one poll, hence one committed batch, holds per partition
     * @param backOff      the waits between attempts to read the offsets
     * @param running      whether the container still runs: a stop ends the attempts
     * @param logCheck     whether a log without Kafka's offset is the one the database's offsets were stored from
     * @param metrics      where each failed attempt is counted
     * @param expired      told the stored offsets below their log's start
     */
    OffsetSeeker(DataSource dataSource, OffsetStore offsets, int batchRecords, BackOff backOff,
                 BooleanSupplier running, StoredLogCheck logCheck, IngestMetrics metrics, ExpiredRecords expired) {
        this.dataSource = dataSource;
        this.offsets = offsets;
        this.batchRecords = batchRecords;
        this.backOff = backOff;
        this.running = running;
        this.logCheck = logCheck;
        this.metrics = metrics;
        this.expired = expired;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        BackOffExecution waits = backOff.start();
        boolean wokenUp = false;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    Placement placement = place(consumer, partitions);
                    placement.positions().forEach(consumer::seek);
                    log.info("assigned {}; positions {}", partitions, placement.positions());
                    expired.onAssignment(placement.stored(), placement.logStarts());
                    AddedPartitions.warnOf(placement.added());
                    return;
                } catch (WakeupException e) {
                    // the container's (a stop, a pause or seek request): kept for it, after the partitions are placed
                    wokenUp = true;
                } catch (Exception e) {
                    // No batch runs meanwhile: counted with the failed batches, or IngestBatchRetrying saw no stall.
                    metrics.batchFailed(e);
                    long wait = waits.nextBackOff();
                    log.warn("could not read the offsets of {}, or the records below them (attempt {}, next in {} ms): {}",
                            partitions, attempt, wait, e.toString());
                    if (!running.getAsBoolean() || !sleep(wait == BackOffExecution.STOP ? backOff.start().nextBackOff()
                            : wait)) {
                        // Unplaced partitions must not be fetched from Kafka's offset: they stay paused until the
                        // consumer closes, and are read again by whoever is assigned them next. Spring's batch retry
                        // resumes every assigned partition when it ends, though: then they are fetched from the log's
                        // beginning (a lazy seek, no request), where eventIds answer what was applied.
                        consumer.pause(partitions);
                        consumer.seekToBeginning(partitions);
                        log.warn("stopped before the offsets of {} could be read; they stay paused, placed at the "
                                + "log's beginning", partitions);
                        return;
                    }
                }
            }
        } finally {
            if (wokenUp) {
                consumer.wakeup();
            }
        }
    }

    /**
     * Where the assigned partitions start, and what to report once they are placed.
     *
     * @param stored    the database's offsets of the assigned partitions it has one for
     * @param logStarts each assigned partition's first offset
     * @param added     the assigned partitions taken for added to their topic ({@link AddedPartitions})
     */
    private record Placement(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> stored,
                             Map<TopicPartition, Long> logStarts, Set<TopicPartition> added) {
    }

    private Placement place(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            Map<TopicPartition, Long> ofTheirTopics = offsets.read(c,
                    AddedPartitions.withSiblings(consumer, partitions));
            Map<TopicPartition, Long> stored = new HashMap<>(ofTheirTopics);
            stored.keySet().retainAll(partitions);
            Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(partitions);
            return new Placement(positions(consumer, partitions, stored, logStarts, c), stored, logStarts,
                    AddedPartitions.among(partitions, ofTheirTopics.keySet()));
        }
    }

    private Map<TopicPartition, Long> positions(Consumer<?, ?> consumer, Collection<TopicPartition> partitions,
                                                Map<TopicPartition, Long> stored, Map<TopicPartition, Long> logStarts,
                                                Connection c) throws Exception {
        Map<TopicPartition, Long> positions = new HashMap<>(stored);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        // A partition the database has offsets for but Kafka has none: the worker died after its first
        // commit there and before Kafka's, or the group's offsets expired while it was down. Only the last
        // committed batch can lack published outcomes, so start one batch back (not at the log's beginning,
        // which would publish the stored outcome of every retained record again): those records come round
        // again, their effects are skipped and their stored outcomes published. Unless the log is not the one the
        // offsets were stored from (the topic recreated, another cluster: Kafka has no offset there either): then
        // every record of it may be new, and it is read from its beginning.
        Set<TopicPartition> neverCommitted = new HashSet<>(positions.keySet());
        Set<TopicPartition> unknownToTheDatabase = new HashSet<>();
        committed.forEach((tp, om) -> {
            if (om != null) {
                neverCommitted.remove(tp);
                if (positions.containsKey(tp)) {
                    positions.merge(tp, om.offset(), Math::min);
                } else {
                    unknownToTheDatabase.add(tp);
                }
            }
        });
        if (!neverCommitted.isEmpty()) {
            oneBatchBack(consumer, neverCommitted, positions, logStarts, c);
        }
        if (!unknownToTheDatabase.isEmpty()) {
            Map<TopicPartition, Long> first = new HashMap<>(logStarts);
            first.keySet().retainAll(unknownToTheDatabase);
            log.warn("the database has no offsets for {}, which Kafka has committed: starting at the log's beginning "
                    + "{} (a database restored from a backup older than their first write, or a new one)",
                    unknownToTheDatabase, first);
            positions.putAll(first);
        }
        return positions;
    }

    private void oneBatchBack(Consumer<?, ?> consumer, Set<TopicPartition> partitions,
                              Map<TopicPartition, Long> positions, Map<TopicPartition, Long> first, Connection c)
            throws Exception {
        Map<TopicPartition, Long> stored = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long offset = positions.get(tp);
            positions.put(tp, Math.max(first.get(tp), offset - batchRecords));
            if (first.get(tp) < offset) {    // else nothing is retained below it: the position is the beginning
                stored.put(tp, offset);
            }
        }
        if (stored.isEmpty()) {
            return;
        }
        Set<TopicPartition> unproven = logCheck.unproven(c, first, stored, consumer.endOffsets(stored.keySet()));
        if (!unproven.isEmpty()) {
            Map<TopicPartition, Long> beginnings = new HashMap<>();
            unproven.forEach(tp -> beginnings.put(tp, first.get(tp)));
            log.warn("the logs of {} are not shown to be the ones the database's offsets {} were stored from (shorter, "
                    + "or the last write below those offsets was never applied: a write topic recreated, another "
                    + "cluster?): starting at their beginning {}, where eventIds answer what was applied", unproven,
                    stored, beginnings);
            positions.putAll(beginnings);
        }
    }

    /** False when interrupted (the flag is set again). */
    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
