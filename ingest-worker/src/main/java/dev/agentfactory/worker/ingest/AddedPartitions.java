package dev.agentfactory.worker.ingest;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, on assignment, of partitions added to a write topic. Adding partitions moves keys (the default partitioner
 * hashes a key over the partition count): an entity's backlog on its old partition and its new writes on a new one are
 * consumed independently, so a later write can be applied before an earlier one. Nothing in the worker can restore
 * that order; the runbook's answer is to stop the writers and drain before adding any. An added partition is one
 * without a stored offset, numbered above every partition of its topic with one (partitions are added at the end).
 */
final class AddedPartitions {

    private static final Logger log = LoggerFactory.getLogger(AddedPartitions.class);

    private AddedPartitions() {
    }

    /** The partitions and every other partition of their topics, as the consumer's metadata has them. */
    static Set<TopicPartition> withSiblings(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Set<TopicPartition> all = new HashSet<>(partitions);
        partitions.stream().map(TopicPartition::topic).distinct().forEach(topic -> consumer.partitionsFor(topic)
                .forEach(p -> all.add(new TopicPartition(topic, p.partition()))));
        return all;
    }

    /**
     * The partitions added to their topic since its others were stored. A partition merely never written to has no
     * stored offset either, but most often lies below one that has, and is not taken for added.
     *
     * @param stored the partitions of their topics with a stored offset
     */
    static Set<TopicPartition> among(Collection<TopicPartition> partitions, Set<TopicPartition> stored) {
        Map<String, Integer> highest = new HashMap<>();
        stored.forEach(tp -> highest.merge(tp.topic(), tp.partition(), Math::max));
        Set<TopicPartition> added = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (highest.containsKey(tp.topic()) && tp.partition() > highest.get(tp.topic())) {
                added.add(tp);
            }
        }
        return added;
    }

    static void warnOf(Set<TopicPartition> added) {
        if (!added.isEmpty()) {
            log.warn("{} have no stored offset, unlike lower partitions of their topics: partitions added to a write "
                    + "topic (or never written to)? An entity's writes on a new partition are applied apart from its "
                    + "backlog on its old one, out of order, unless the writers were stopped and the topic drained "
                    + "first (docs/runbooks.md, \"Adding partitions to a write topic\")", added);
        }
    }
}
