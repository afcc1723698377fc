package dev.agentfactory.worker.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteCodec;

/**
 * Whether a partition's log is the one the database's offset for it was stored from, asked where Kafka has no
 * committed offset to go by. The database's offset alone cannot say: after the write topic was recreated, or the
 * worker pointed at another cluster, the same partition's new log holds other records at the same offsets, and
 * starting just below the stored offset skips every one below that for good. The log is the stored one when it
 * reaches the stored offset and the records just below it include one whose eventId the database has an outcome for.
 * Records are read with a consumer of their own, outside the group: the assigned consumer cannot poll inside its
 * rebalance callback.
 */
final class StoredLogCheck {

    static final String KNOWN = "SELECT event_id FROM factory.processed_events WHERE event_id = ANY (?)";

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final WriteCodec codec;
    private final Duration timeout;

    /**
     * @param consumers a consumer outside the group, reading committed records only
     * @param timeout   how long the records below the stored offsets may take to arrive; past it the check fails,
     *                  and is retried with the offsets' reads
     */
    StoredLogCheck(Supplier<Consumer<byte[], byte[]>> consumers, WriteCodec codec, Duration timeout) {
        this.consumers = consumers;
        this.codec = codec;
        this.timeout = timeout;
    }

    /**
     * @param from   per partition, where the records to look at begin (below its stored offset)
     * @param stored per partition, the database's offset
     * @param ends   per partition, the log's end
     * @return the partitions whose log is not shown to be the stored one: shorter than the stored offset, or with no
     *         record between {@code from} and the stored offset whose eventId has an outcome (a run of invalid records
     *         there proves nothing either way)
     */
    Set<TopicPartition> unproven(Connection c, Map<TopicPartition, Long> from, Map<TopicPartition, Long> stored,
                                 Map<TopicPartition, Long> ends) throws SQLException {
        Set<TopicPartition> unproven = new HashSet<>();
        Map<TopicPartition, Long> toRead = new HashMap<>();
        from.forEach((tp, first) -> {
            if (ends.get(tp) < stored.get(tp)) {
                unproven.add(tp);
            } else {
                toRead.put(tp, first);
            }
        });
        if (toRead.isEmpty()) {
            return unproven;
        }
        Map<TopicPartition, Set<UUID>> eventIds = read(toRead, stored);
        Set<UUID> known = known(c, eventIds.values().stream().flatMap(Set::stream).toList());
        toRead.keySet().forEach(tp -> {
            if (eventIds.get(tp).stream().noneMatch(known::contains)) {
                unproven.add(tp);
            }
        });
        return unproven;
    }

    /** The eventIds of the valid records from each partition's first offset up to its stored one. */
    private Map<TopicPartition, Set<UUID>> read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> stored) {
        Map<TopicPartition, Set<UUID>> eventIds = new HashMap<>();
        from.keySet().forEach(tp -> eventIds.put(tp, new HashSet<>()));
        try (Consumer<byte[], byte[]> consumer = consumers.get()) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            Set<TopicPartition> reading = new HashSet<>(from.keySet());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reading.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the records below the stored offsets of " + reading + " did not arrive in "
                            + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < stored.get(tp)) {
                        try {
                            eventIds.get(tp).add(codec.decode(r.value()).eventId());
                        } catch (InvalidWriteException e) {
                            // proves nothing: an invalid record has no outcome on any log
                        }
                    }
                }
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition tp : reading) {
                    if (consumer.position(tp) >= stored.get(tp)) {
                        done.add(tp);
                    }
                }
                done.forEach(reading::remove);
                consumer.pause(done);
            }
        }
        return eventIds;
    }

    private static Set<UUID> known(Connection c, List<UUID> eventIds) throws SQLException {
        Set<UUID> known = new HashSet<>();
        if (eventIds.isEmpty()) {
            return known;
        }
        try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
            ps.setArray(1, c.createArrayOf("uuid", eventIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return known;
    }
}
