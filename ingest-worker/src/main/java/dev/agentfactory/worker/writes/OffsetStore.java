package dev.agentfactory.worker.writes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * The consumed positions that commit with the rows they produced ({@code factory.ingest_offsets}). Each
 * batch locks its partitions' rows first: a second consumer that still holds a revoked partition (a zombie
 * after a rebalance) waits, then sees the advanced offset and skips what was already applied.
 */
public final class OffsetStore {

    static final String ENSURE = """
            INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset)
            SELECT ?, t.topic, t.partition, 0 FROM unnest(?::text[], ?::int4[]) AS t(topic, partition)
            ON CONFLICT (consumer_group, topic, partition) DO NOTHING""";
    static final String LOCK = """
            SELECT o.topic, o.partition, o.next_offset FROM factory.ingest_offsets o
            JOIN unnest(?::text[], ?::int4[]) AS t(topic, partition) ON o.topic = t.topic AND o.partition = t.partition
            WHERE o.consumer_group = ? ORDER BY o.topic, o.partition FOR UPDATE OF o""";
    static final String READ = """
            SELECT o.topic, o.partition, o.next_offset FROM factory.ingest_offsets o
            JOIN unnest(?::text[], ?::int4[]) AS t(topic, partition) ON o.topic = t.topic AND o.partition = t.partition
            WHERE o.consumer_group = ?""";
    static final String ADVANCE = """
            UPDATE factory.ingest_offsets o SET next_offset = GREATEST(o.next_offset, t.next_offset), updated_at = now()
            FROM unnest(?::text[], ?::int4[], ?::int8[]) AS t(topic, partition, next_offset)
            WHERE o.consumer_group = ? AND o.topic = t.topic AND o.partition = t.partition""";

    private final String group;

    public OffsetStore(String group) {
        this.group = group;
    }

    /** Locks (creating when new) the rows of these partitions and returns their next offsets. */
    Map<TopicPartition, Long> lock(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        List<TopicPartition> sorted = sorted(partitions);
        BatchWriter.run(c, ENSURE, a -> a.value(group).column(sorted, TopicPartition::topic)
                .column(sorted, TopicPartition::partition));
        return select(c, LOCK, sorted);
    }

    /** The stored next offsets, for the seek on partition assignment (partitions never seen are absent). */
    public Map<TopicPartition, Long> read(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        return select(c, READ, sorted(partitions));
    }

    void advance(Connection c, Map<TopicPartition, Long> next) throws SQLException {
        List<Map.Entry<TopicPartition, Long>> rows = new ArrayList<>(next.entrySet());
        BatchWriter.run(c, ADVANCE, a -> a.column(rows, e -> e.getKey().topic())
                .column(rows, e -> e.getKey().partition()).column(rows, Map.Entry::getValue)
                .value(group));
    }

    private Map<TopicPartition, Long> select(Connection c, String sql, List<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, Long> result = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            new SqlArrays(ps).column(partitions, TopicPartition::topic)
                    .column(partitions, TopicPartition::partition).value(group);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        }
        return result;
    }

    private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        List<TopicPartition> list = new ArrayList<>(partitions);
        list.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        return list;
    }
}
