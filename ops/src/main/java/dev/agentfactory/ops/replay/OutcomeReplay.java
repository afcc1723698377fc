package dev.agentfactory.ops.replay;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.cli.KafkaClients;
import tools.jackson.core.JacksonException;

/**
 * Rebuilds, after a restore, the CONFLICT and REJECTED outcomes the worker stored after the backup, from the
 * results topic. The audit topics carry only applied writes, so without this the worker, resuming from the
 * backup's offsets, would judge those writes again against a later state, and some would now apply: a client
 * told 409 or 422 would find its write applied, and the same eventId would get a second, different outcome.
 * With the outcome back in {@code processed_events}, the worker answers the write DUPLICATE of it, as before.
 * Outcomes are published after their commit, so reading from an hour before the backup's time misses none;
 * rows already present are left as they are.
 */
final class OutcomeReplay {

    static final String INSERT = """
            INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version,
                                                  reason, processed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""";
    static final String NEWEST = "SELECT max(processed_at) FROM factory.processed_events";
    static final Duration BEFORE_THE_BACKUP = Duration.ofHours(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param read outcome records read; @param rebuilt CONFLICT or REJECTED outcomes not in the target before;
     * @param unreadable records that are no outcome (anything may be produced to a topic): skipped
     */
    record Result(long read, long rebuilt, long unreadable) {
    }

    private final KafkaClients kafka;
    private final String topic;
    private final WriteCodec codec = new WriteCodec();

    OutcomeReplay(KafkaClients kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    /**
     * Reads the topic from {@link #BEFORE_THE_BACKUP} before {@code backupTime} (a backup's time, or the newest
     * outcome a standby holds; from its beginning when null) to
     * its end as of now, and inserts the outcomes processed up to {@code until} (all when null), in one transaction
     * on {@code c}. A topic that does not exist holds nothing to rebuild.
     */
    Result replay(Connection c, Instant backupTime, Instant until) throws SQLException {
        try (KafkaConsumer<String, String> consumer = new AuditTopics(kafka, List.of(topic)).consumer()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                return new Result(0, 0, 0);
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            seek(consumer, partitions, end, backupTime);
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                long read = 0;
                long rebuilt = 0;
                long unreadable = 0;
                while (partitions.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < end.get(tp))) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                            continue;
                        }
                        read++;
                        WriteOutcome o = outcome(r.value());
                        if (o == null) {
                            unreadable++;
                        } else if (rebuilds(o, until)) {
                            bind(ps, o);
                            rebuilt += ps.executeUpdate();
                        }
                    }
                }
                c.commit();
                return new Result(read, rebuilt, unreadable);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** The newest outcome the target holds, or null: where a standby's record of outcomes ends. */
    static Instant newestOutcome(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NEWEST); ResultSet rs = ps.executeQuery()) {
            Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
            return t == null ? null : t.toInstant();
        }
    }

    /** The outcome a record holds, or null when it holds none: one stray record must not stop a recovery. */
    private WriteOutcome outcome(String value) {
        if (value == null) {
            return null;
        }
        try {
            WriteOutcome o = codec.decodeOutcome(value.getBytes(StandardCharsets.UTF_8));
            return o == null || o.eventId() == null || o.status() == null ? null : o;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** A stored refusal; DUPLICATE is no row of its own, and APPLIED ones come back with the audit topics. */
    private static boolean rebuilds(WriteOutcome o, Instant until) {
        boolean refused = o.status() == WriteOutcome.Status.CONFLICT || o.status() == WriteOutcome.Status.REJECTED;
        return refused && o.entityType() != null && o.entityId() != null && o.type() != null
                && o.processedAt() != null && (until == null || !o.processedAt().isAfter(until));
    }

    private static void bind(PreparedStatement ps, WriteOutcome o) throws SQLException {
        ps.setObject(1, o.eventId());
        ps.setString(2, o.entityType());
        ps.setObject(3, o.entityId());
        ps.setString(4, o.type());
        ps.setString(5, o.status().name());
        if (o.version() == null) {
            ps.setNull(6, Types.BIGINT);
        } else {
            ps.setLong(6, o.version());
        }
        ps.setString(7, o.reason());
        ps.setTimestamp(8, Timestamp.from(o.processedAt()));
    }

    /**
     * Whether retention may have deleted records of a partition at or after the time asked for: some were deleted
     * ({@code start > 0}), and either the first record kept is already at or past that time ({@code found}, at
     * {@code start}), or none is kept at all ({@code found} null with {@code start == end}: a partition whose every
     * record expired, whose deleted records may have been the ones needed). A partition that keeps only records older
     * than the time ({@code found} null, {@code start < end}) lost only older ones.
     */
    static boolean truncated(OffsetAndTimestamp found, long start, long end) {
        if (start == 0) {
            return false;
        }
        return found == null ? start == end : found.offset() == start;
    }

    private static void seek(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions,
                             Map<TopicPartition, Long> end, Instant backupTime) {
        if (backupTime == null) {
            consumer.seekToBeginning(partitions);
            return;
        }
        Map<TopicPartition, Long> at = new HashMap<>();
        long from = backupTime.minus(BEFORE_THE_BACKUP).toEpochMilli();
        partitions.forEach(tp -> at.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at, TIMEOUT);
        Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions, TIMEOUT);
        boolean truncated = false;
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = found.get(tp);
            consumer.seek(tp, o == null ? end.get(tp) : o.offset());
            truncated |= truncated(o, start.get(tp), end.get(tp));
        }
        if (truncated) {
            // "may": a quiet partition whose records all expired before the time asked for says the same
            System.err.println("replay: the results topic may no longer hold every outcome since "
                    + Instant.ofEpochMilli(from) + " (retention deleted records of it): writes refused before its oldest"
                    + " records are judged again by the worker");
        }
    }
}
