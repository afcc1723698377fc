package dev.agentfactory.worker.ingest;

import java.util.Collection;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * The container's rebalance listener: the worker's own ({@link OffsetSeeker}), and then the lag gauge lets go of
 * partitions revoked or lost. Without this an instance went on reporting the last lag of partitions another instance
 * now consumes, and the group's summed lag counted them twice, or forever once the other instance caught up.
 */
final class PartitionLagRelease implements ConsumerAwareRebalanceListener {

    private final ConsumerAwareRebalanceListener delegate;
    private final IngestMetrics metrics;

    PartitionLagRelease(ConsumerAwareRebalanceListener delegate, IngestMetrics metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    @Override
    public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        delegate.onPartitionsRevokedBeforeCommit(consumer, partitions);
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        try {
            delegate.onPartitionsRevokedAfterCommit(consumer, partitions);
        } finally {
            metrics.forget(consumer, partitions);
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        try {
            delegate.onPartitionsLost(consumer, partitions);
        } finally {
            metrics.forget(consumer, partitions);
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        delegate.onPartitionsAssigned(consumer, partitions);
    }
}
