package dev.agentfactory.worker.ingest;

import java.sql.Connection;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

import dev.agentfactory.worker.writes.OffsetStore;

/**
 * On partition assignment, positions each partition at the lower of the offset stored in the database
 * with the rows and Kafka's committed offset. Kafka's is normally the lower one (it is committed after
 * the outcomes are published): the records in between are already applied, so the batch transaction
 * skips their effects and publishes their stored outcomes again. The database's is lower after a restore
 * from backup, and then those writes are applied again. Without either, {@code auto.offset.reset} applies.
 */
final class OffsetSeeker implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(OffsetSeeker.class);

    private final DataSource dataSource;
    private final OffsetStore offsets;
    private final int batchRecords;

    /** @param batchRecords the most records one poll, hence one committed batch, holds per partition */
    OffsetSeeker(DataSource dataSource, OffsetStore offsets, int batchRecords) {
        this.dataSource = dataSource;
        this.offsets = offsets;
        this.batchRecords = batchRecords;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            Map<TopicPartition, Long> positions = new HashMap<>(offsets.read(c, partitions));
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            // A partition the database has offsets for but Kafka has none: the worker died after its first
            // commit there and before Kafka's, or the group's offsets expired while it was down. Only the last
            // committed batch can lack published outcomes, so start one batch back (not at the log's beginning,
            // which would publish the stored outcome of every retained record again): those records come round
            // again, their effects are skipped and their stored outcomes published.
            Set<TopicPartition> neverCommitted = new HashSet<>(positions.keySet());
            committed.forEach((tp, om) -> {
                if (om != null) {
                    neverCommitted.remove(tp);
                    positions.merge(tp, om.offset(), Math::min);
                }
            });
            if (!neverCommitted.isEmpty()) {
                consumer.beginningOffsets(neverCommitted).forEach((tp, first) ->
                        positions.put(tp, Math.max(first, positions.get(tp) - batchRecords)));
            }
            positions.forEach(consumer::seek);
            log.info("assigned {}; positions {}", partitions, positions);
        } catch (Exception e) {
            log.warn("could not read stored offsets for {} ({}); starting from Kafka's committed offsets", partitions,
                    e.toString());
        }
    }
}
