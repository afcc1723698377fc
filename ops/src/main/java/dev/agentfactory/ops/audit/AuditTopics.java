package dev.agentfactory.ops.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.agentfactory.ops.cli.KafkaClients;
import dev.agentfactory.ops.cli.OpsException;

/**
 * The CDC relay's audit topics as the recovery log (and the results topic, read the same way): their end offsets
 * (recorded by a backup) and a consumer that reads them by assignment, never joining a group or committing offsets, so recovery leaves no trace
 * in the cluster's consumer groups.
 */
public final class AuditTopics {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClients kafka;
    private final List<String> topics;

    public AuditTopics(KafkaClients kafka, List<String> topics) {
        this.kafka = kafka;
        this.topics = List.copyOf(topics);
    }

    public List<String> topics() {
        return topics;
    }

    public KafkaConsumer<String, String> consumer() {
        return new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // reading a topic that is not there must not create it on a broker that allows that
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false",
                ConsumerConfig.CLIENT_ID_CONFIG, "factory-ops")));
    }

    /** Every partition of the topics; a topic that does not exist is an error, not an empty log. */
    public List<TopicPartition> partitions(KafkaConsumer<String, String> consumer) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new OpsException("audit topic " + topic + " does not exist on " + kafka.bootstrap());
            }
            infos.forEach(i -> out.add(new TopicPartition(i.topic(), i.partition())));
        }
        return out;
    }

    /**
     * Where reading from {@code from} (a backup's recorded end offsets; empty: from the beginning) starts in each of
     * {@code parts}: the recorded offset, 0 in a partition the backup did not know (added since). Offsets recorded
     * for other topics are positions in another log, and replaying or checking from them would skip or repeat
     * anything: a {@code from} that does not name exactly these topics is refused.
     */
    public Map<TopicPartition, Long> startOffsets(List<TopicPartition> parts, Map<String, Map<Integer, Long>> from) {
        checkRecorded(from);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : parts) {
            out.put(tp, from.getOrDefault(tp.topic(), Map.of()).getOrDefault(tp.partition(), 0L));
        }
        return out;
    }

    /** Refuses offsets a backup recorded ({@code from}; empty: the beginning) for other topics than these. */
    public void checkRecorded(Map<String, Map<Integer, Long>> from) {
        if (!from.isEmpty() && !from.keySet().equals(new HashSet<>(topics))) {
            throw new OpsException("the backup recorded offsets of the audit topics " + new TreeSet<>(from.keySet())
                    + ", but the configured ones are " + new TreeSet<>(topics) + " (FACTORY_CDC_AGENTS_AUDIT_TOPIC, "
                    + "FACTORY_CDC_PRDS_AUDIT_TOPIC): its offsets are no positions in these; name the topics the "
                    + "backup's relay published to");
        }
    }

    /** topic -> partition -> end offset (the offset the next record will get), read now. */
    public Map<String, Map<Integer, Long>> endOffsets() {
        try (KafkaConsumer<String, String> c = consumer()) {
            Map<String, Map<Integer, Long>> out = new TreeMap<>();
            c.endOffsets(partitions(c), TIMEOUT).forEach((tp, off) ->
                    out.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), off));
            return out;
        }
    }
}
