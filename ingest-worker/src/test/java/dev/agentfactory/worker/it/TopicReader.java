package dev.agentfactory.worker.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteOutcome;

/** Reads a whole topic from the beginning until it holds at least {@code n} records or the deadline passes. */
final class TopicReader {

    private TopicReader() {
    }

    static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, int n, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties(bootstrap))) {
            fromBeginning(c, topic);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Every outcome on the results topic, by eventId: the topic read from its beginning to the end it had when the
     * read began (so call it once the worker is stopped, or its last outcomes may not be there yet).
     */
    static Map<UUID, List<WriteOutcome>> outcomes(String bootstrap, String topic, Duration timeout) {
        WriteCodec codec = new WriteCodec();
        Map<UUID, List<WriteOutcome>> out = new HashMap<>();
        Properties p = consumerProperties(bootstrap);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = fromBeginning(c, topic);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the results topic was not read to its end " + ends + " within " + timeout);
                }
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    WriteOutcome o = codec.decodeOutcome(r.value());
                    out.computeIfAbsent(o.eventId(), k -> new ArrayList<>()).add(o);
                });
            }
        }
        return out;
    }

    /** Assigns every partition of the topic, each at its beginning. */
    private static List<TopicPartition> fromBeginning(KafkaConsumer<byte[], byte[]> c, String topic) {
        List<TopicPartition> tps = c.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(tps);
        c.seekToBeginning(tps);
        return tps;
    }

    static Properties consumerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
