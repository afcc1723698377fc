package dev.agentfactory.worker.ingest;

import java.sql.Connection;
import java.util.Collection;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

import dev.agentfactory.worker.writes.OffsetStore;

/**
 * On partition assignment, seeks to the offsets committed in the database with the rows, so a crash
 * between the database commit and Kafka's offset commit replays nothing. If the database cannot be read
 * here the consumer starts from Kafka's (never newer) offsets, and the batch transaction skips whatever
 * its locked offsets say is already applied.
 */
final class OffsetSeeker implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(OffsetSeeker.class);

    private final DataSource dataSource;
    private final OffsetStore offsets;

    OffsetSeeker(DataSource dataSource, OffsetStore offsets) {
        this.dataSource = dataSource;
        this.offsets = offsets;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            Map<TopicPartition, Long> stored = offsets.read(c, partitions);
            stored.forEach(consumer::seek);
            log.info("assigned {}; seeking to stored offsets {}", partitions, stored);
        } catch (Exception e) {
            log.warn("could not read stored offsets for {} ({}); starting from Kafka's committed offsets", partitions,
                    e.toString());
        }
    }
}
