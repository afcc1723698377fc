package dev.agentfactory.worker.writes;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts a batch's records against the offsets stored with the rows. A record below its partition's stored
 * offset was normally committed by an earlier delivery (the worker died before Kafka's offset commit): its
 * stored outcome is published again and its effects are skipped. But the offset alone does not prove it: after
 * a write topic is recreated, or the worker is pointed at a cluster whose offsets differ, new records arrive
 * below the stored offsets; and a record an earlier worker dead-lettered (oversized, say) comes round valid after
 * the limit was raised, if that worker died before Kafka's offset commit. A valid record whose eventId has no
 * stored outcome was never applied, so it is applied now (the eventId, not the offset, is what makes an effect
 * happen once; a later DLQ replay of it answers DUPLICATE), with a warning. An invalid record below the stored
 * offset is dead-lettered again, with a warning: nothing records whether an earlier delivery dead-lettered it (a
 * crash before Kafka's offset commit) or none did (a recreated topic, another cluster's offsets), and dead letters
 * are at-least-once (a replay of both copies applies the eventId once, or dead-letters it again).
 */
final class Redelivery {

    private static final Logger log = LoggerFactory.getLogger(Redelivery.class);

    /**
     * @param fresh             the records to process, in batch order
     * @param restated          stored outcomes to publish again
     * @param deadLetteredAgain how many of the fresh items are invalid records below the stored offsets: sent to the
     *                          DLQ again but, like restated outcomes, not counted again (the delivery that first
     *                          dead-lettered them was)
     * @param consumed          how many items are taken off the log for the first time: those at or above their
     *                          partition's stored offset, and valid ones below it that were never applied (they get an
     *                          outcome now, and a write topic recreated can hold many)
     */
    record Sorted(List<Item> fresh, List<BatchResult.Applied> restated, int deadLetteredAgain, int consumed) {
    }

    private final BatchLoader loader;

    Redelivery(BatchLoader loader) {
        this.loader = loader;
    }

    /**
     * @param poll the whole poll {@code items} belong to, in order (items are all of it, or a part when it was split):
     *             which record of an eventId came first is decided over the poll, so each part answers the same
     */
    Sorted sort(Connection c, List<Item> items, List<Item> poll, Map<TopicPartition, Long> stored, Instant now)
            throws SQLException {
        Set<Item> below = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Item i : items) {
            if (isBelow(i, stored)) {
                below.add(i);
            }
        }
        if (below.isEmpty()) {
            return new Sorted(items, List.of(), 0, items.size());
        }
        BatchState committed = new BatchState();
        loader.loadProcessed(c, below.stream().filter(Item::valid).map(i -> i.envelope().eventId()).toList(), committed);
        List<Item> fresh = new ArrayList<>(items.size());
        List<BatchResult.Applied> restated = new ArrayList<>();
        Map<UUID, Item> first = firstOfEachEventIdBelow(poll, stored);
        int neverApplied = 0;
        List<String> deadLetteredAgain = new ArrayList<>();
        for (Item i : items) {
            if (!below.contains(i)) {
                fresh.add(i);
            } else if (i.valid()) {
                BatchState.Prior prior = committed.processed.get(i.envelope().eventId());
                if (prior != null) {
                    // a second record of the eventId was answered DUPLICATE the first time round, and is again
                    boolean again = first.get(i.envelope().eventId()) != i;
                    restated.add(new BatchResult.Applied(i.envelope(), EventApplier.restated(i.envelope(), prior, again,
                            now)));
                } else {
                    fresh.add(i);
                    neverApplied++;
                }
            } else {
                fresh.add(i);
                deadLetteredAgain.add(i.record().topic() + "-" + i.record().partition() + "@" + i.record().offset());
            }
        }
        if (!deadLetteredAgain.isEmpty()) {
            log.warn("{} invalid record(s) below the offsets stored for their partitions ({}): dead-lettering them "
                    + "again, as nothing records whether an earlier delivery did (a crash before Kafka's offset commit) "
                    + "or none did (a write topic recreated, or another cluster's offsets)", deadLetteredAgain.size(),
                    String.join(", ", deadLetteredAgain));
        }
        if (neverApplied > 0) {
            log.warn("{} record(s) below the offsets stored for {} had never been applied (dead-lettered by a worker with "
                    + "other limits, a write topic recreated, or another cluster's offsets?): applying them", neverApplied,
                    stored.keySet());
        }
        return new Sorted(fresh, restated, deadLetteredAgain.size(), items.size() - below.size() + neverApplied);
    }

    /**
     * Of the poll's records below the stored offsets of the partitions this transaction locked, the first of each
     * eventId. Not of every record: one at or above its partition's offset is fresh, and the committed record of its
     * eventId (which only a producer's bug puts on another partition) is restated APPLIED, not DUPLICATE.
     */
    private static Map<UUID, Item> firstOfEachEventIdBelow(List<Item> poll, Map<TopicPartition, Long> stored) {
        Map<UUID, Item> first = new HashMap<>();
        for (Item i : poll) {
            if (i.valid() && isBelow(i, stored)) {
                first.putIfAbsent(i.envelope().eventId(), i);
            }
        }
        return first;
    }

    /** Below its partition's stored offset; a partition this transaction did not lock has none here. */
    private static boolean isBelow(Item i, Map<TopicPartition, Long> stored) {
        Long offset = stored.get(partition(i));
        return offset != null && i.record().offset() < offset;
    }

    private static TopicPartition partition(Item i) {
        return new TopicPartition(i.record().topic(), i.record().partition());
    }
}
