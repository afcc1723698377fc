package dev.agentfactory.worker.ingest;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The lag gauge's values: each consumer's last measurement of each partition it holds, kept apart from the other
 * consumer threads' of this instance. Two of them can hold one partition for a while: a thread evicted after a slow
 * batch keeps its old assignment until its next poll, measures it after that batch, and only then lets it go as lost.
 * Keyed by partition alone, its measurement overwrote the new owner's, and its release deleted the new owner's.
 */
final class PartitionLags {

    /** Consumers are told apart by identity, as Kafka's clients do not override equals. */
    private record Held(Consumer<?, ?> consumer, TopicPartition partition) {
    }

    private final Map<Held, Long> lags = new ConcurrentHashMap<>();

    void put(Consumer<?, ?> consumer, TopicPartition partition, long lag) {
        lags.put(new Held(consumer, partition), lag);
    }

    /** Partitions this consumer no longer holds; another's measurements of them stay. */
    void forget(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> lags.remove(new Held(consumer, tp)));
    }

    /**
     * Summed over the partitions, each once: while two consumers hold one, the larger of their values. The evicted
     * thread's older view may overstate the lag until it lets go; it never hides a stall of the new owner's.
     */
    long total() {
        Map<TopicPartition, Long> each = new HashMap<>();
        lags.forEach((held, lag) -> each.merge(held.partition(), lag, Math::max));
        return each.values().stream().mapToLong(Long::longValue).sum();
    }
}
