package dev.agentfactory.ops.dlq;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.agentfactory.ops.cli.KafkaClients;
import dev.agentfactory.contracts.DlqHeaders;

/**
 * Scans the DLQ from its beginning up to its end at the start of the run (records dead-lettered while it
 * runs wait for the next run) and re-publishes the matching ones, key, value and original headers
 * unchanged, to their original topic with an idempotent producer. The DLQ itself is never modified.
 */
final class DlqReplayer {

    /** {@code withoutValue}: where the originals of matching dead letters that hold no value are. */
    record Result(int scanned, int replayed, Map<String, Integer> byTopic, List<String> withoutValue) {
    }

    private final KafkaClients kafka;
    private final String dlqTopic;

    DlqReplayer(KafkaClients kafka, String dlqTopic) {
        this.kafka = kafka;
        this.dlqTopic = dlqTopic;
    }

    Result replay(DlqFilter filter, boolean dryRun) {
        Properties cp = kafka.config(Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        Properties pp = kafka.config(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        int scanned = 0;
        Map<String, Integer> byTopic = new TreeMap<>();
        List<String> withoutValue = new ArrayList<>();
        List<Future<?>> sends = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            List<TopicPartition> partitions = consumer.partitionsFor(dlqTopic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + dlqTopic + " does not exist");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    scanned++;
                    String target = DlqFilter.header(r, DlqHeaders.ORIGINAL_TOPIC);
                    if (target == null || !filter.matches(r)) {
                        continue;
                    }
                    if (r.value() == null) {
                        // the worker copies no value over its size limit: re-publishing would write a null
                        // in place of the original, which only its original topic still holds
                        withoutValue.add(target + "-" + DlqFilter.header(r, DlqHeaders.ORIGINAL_PARTITION) + "@"
                                + DlqFilter.header(r, DlqHeaders.ORIGINAL_OFFSET));
                        continue;
                    }
                    if (!distinct.add(digest(target, r))) {
                        continue;    // an earlier replay of this record came back to the DLQ: send it once per run
                    }
                    byTopic.merge(target, 1, Integer::sum);
                    if (!dryRun) {
                        sends.add(producer.send(replayRecord(r, target)));
                    }
                }
            }
            producer.flush();
            for (Future<?> f : sends) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a replayed record was not acknowledged: " + e.getCause().getMessage(), e);
        }
        return new Result(scanned, byTopic.values().stream().mapToInt(Integer::intValue).sum(), byTopic,
                List.copyOf(withoutValue));
    }

    /** Target topic, key and value: what makes two dead letters the same write. */
    static String digest(String target, ConsumerRecord<byte[], byte[]> r) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(target.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            if (r.key() != null) {
                sha.update(r.key());
            }
            sha.update((byte) 0);
            sha.update(r.value());
            return HexFormat.of().formatHex(sha.digest()) + (r.key() == null ? "-" : "+");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The original record again: DLQ headers dropped, the replay count incremented. */
    static ProducerRecord<byte[], byte[]> replayRecord(ConsumerRecord<byte[], byte[]> r, String target) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(target, r.key(), r.value());
        for (Header h : r.headers()) {
            if (!h.key().startsWith("factory.dlq.")) {
                out.headers().add(h);
            }
        }
        String previous = DlqFilter.header(r, DlqHeaders.REPLAY_COUNT);
        int count = previous == null ? 1 : Integer.parseInt(previous) + 1;
        out.headers().add(DlqHeaders.REPLAY_COUNT, Integer.toString(count).getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
