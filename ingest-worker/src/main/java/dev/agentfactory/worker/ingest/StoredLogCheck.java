package dev.agentfactory.worker.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import dev.agentfactory.contracts.WriteCodec;

/**
 * Whether a partition's log is the one the database's offset for it was stored from, asked where Kafka has no
 * committed offset to go by. The database's offset alone cannot say: after the write topic was recreated, or the
 * worker pointed at another cluster, the same partition's new log holds other records at the same offsets, and
 * starting just below the stored offset skips every one below that for good. On the stored log every record below
 * the stored offset that the worker applies (valid and routed right) has an outcome; so the log is taken for the
 * stored one when it reaches the stored offset and the last such record below it has one. That record is looked for
 * backwards, a few records first and then twice as many at each look, as far as {@code maxLookBack}: a run of dead
 * letters there proves nothing either way. Records are read with a consumer of their own, outside the group: the
 * assigned consumer cannot poll inside its rebalance callback.
 */
final class StoredLogCheck {

    static final String KNOWN = "SELECT EXISTS (SELECT 1 FROM factory.processed_events WHERE event_id = ?)";
    /** Records read in the first look below a stored offset; each further look reads twice as many. */
    static final int FIRST_LOOK = 16;
    /** How long reading the records below a partition's stored offset on assignment may go without progress. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How far below a stored offset the last write the worker applied is looked for. */
    static final long LOOK_BACK = 20_000;

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Function<ConsumerRecord<byte[], byte[]>, UUID> applied;
    private final Duration timeout;
    private final long maxLookBack;

    /**
     * @param consumers   a consumer outside the group, reading committed records only
     * @param applied     the eventId of a record the worker applies, or null for one it dead-letters
     * @param timeout     how long reading may go without progress; past it the check fails, and is retried with the
     *                    offsets' reads
     * @param maxLookBack how many records below a stored offset are looked at, at most
     */
    StoredLogCheck(Supplier<Consumer<byte[], byte[]>> consumers, Function<ConsumerRecord<byte[], byte[]>, UUID> applied,
                   Duration timeout, long maxLookBack) {
        this.consumers = consumers;
        this.applied = applied;
        this.timeout = timeout;
        this.maxLookBack = maxLookBack;
    }

    /**
     * The check the worker runs: records read as the container's consumer reads them, and applied when the listener
     * would apply them.
     */
    static StoredLogCheck forWriteTopics(Map<String, Object> groupConsumer, WriteCodec codec, RecordRouting routing) {
        return new StoredLogCheck(() -> logReader(groupConsumer), appliedEventId(codec, routing), TIMEOUT, LOOK_BACK);
    }

    /** The eventId of a record the listener applies (valid and routed right), or null for one it dead-letters. */
    private static Function<ConsumerRecord<byte[], byte[]>, UUID> appliedEventId(WriteCodec codec, RecordRouting routing) {
        return r -> {
            try {
                return routing.decode(codec, r).eventId();
            } catch (RuntimeException e) {    // InvalidWriteException, or any other the listener would also fail on
                return null;
            }
        };
    }

    /** A consumer of the write topics outside the group, for {@link StoredLogCheck}: it assigns, never subscribes. */
    static KafkaConsumer<byte[], byte[]> logReader(Map<String, Object> groupConsumer) {
        Map<String, Object> config = new HashMap<>(groupConsumer);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.remove(ConsumerConfig.CLIENT_ID_CONFIG);
        return new KafkaConsumer<>(config);
    }

    /**
     * @param first  per partition, the log's first offset
     * @param stored per partition, the database's offset
     * @param ends   per partition, the log's end
     * @return the partitions whose log is not shown to be the stored one
     */
    Set<TopicPartition> unproven(Connection c, Map<TopicPartition, Long> first, Map<TopicPartition, Long> stored,
                                 Map<TopicPartition, Long> ends) throws SQLException {
        Set<TopicPartition> unproven = new HashSet<>();
        try (Consumer<byte[], byte[]> consumer = consumers.get()) {
            for (TopicPartition tp : stored.keySet()) {
                if (ends.get(tp) < stored.get(tp) || !proven(c, consumer, tp, first.get(tp), stored.get(tp))) {
                    unproven.add(tp);
                }
            }
        }
        return unproven;
    }

    private boolean proven(Connection c, Consumer<byte[], byte[]> consumer, TopicPartition tp, long first, long stored)
            throws SQLException {
        consumer.assign(List.of(tp));
        long end = stored;
        long floor = Math.max(first, stored - maxLookBack);
        for (long look = FIRST_LOOK; end > floor; look *= 2) {
            long from = Math.max(floor, end - look);
            UUID last = lastApplied(consumer, tp, from, end);
            if (last != null) {
                return known(c, last);
            }
            end = from;
        }
        return false;
    }

    /** The eventId of the last record in {@code [from, end)} the worker applies, or null. */
    private UUID lastApplied(Consumer<byte[], byte[]> consumer, TopicPartition tp, long from, long end) {
        consumer.seek(tp, from);
        UUID last = null;
        long position = from;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position < end) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                UUID eventId = r.offset() < end ? applied.apply(r) : null;
                last = eventId != null ? eventId : last;
            }
            long now = consumer.position(tp);
            if (now > position) {
                position = now;
                deadline = System.nanoTime() + timeout.toNanos();
            } else if (System.nanoTime() > deadline) {
                throw new TimeoutException("no record of " + tp + " below its stored offset arrived in " + timeout
                        + " (at " + position + " of " + from + ".." + end + ")");
            }
        }
        return last;
    }

    private static boolean known(Connection c, UUID eventId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
            ps.setObject(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
