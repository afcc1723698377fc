package dev.agentfactory.gateway.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;

/**
 * Reads the relay's audit topics from the beginning in the background, as an analytics consumer would, and
 * keeps what they said was committed: entity versions ("agent:id:version", the PRD link rows left out as
 * RelayIT does: their version is the PRD's, carried by its own row too), history entries by seq and the
 * eventIds. Redeliveries after a relay crash land in the same sets.
 */
final class AuditTopicsReader implements AutoCloseable {

    final Set<String> versions = ConcurrentHashMap.newKeySet();
    final Set<Long> historySeqs = ConcurrentHashMap.newKeySet();
    final Set<String> eventIds = ConcurrentHashMap.newKeySet();
    final AtomicLong records = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    AuditTopicsReader(String bootstrap, List<String> topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        thread = new Thread(() -> consume(props, topics), "it-audit-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Fails the caller if the reader met a record it could not take (e.g. keyed by another entity). */
    void rethrowFailure() {
        if (failure.get() != null) {
            throw new AssertionError("the audit reader failed", failure.get());
        }
    }

    private void consume(Properties props, List<String> topics) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    take(r);
                }
            }
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    private void take(ConsumerRecord<String, String> r) {
        records.incrementAndGet();
        JsonNode e = Api.JSON.readTree(r.value());
        String id = e.path("id").asString();
        if (!id.equals(r.key())) {
            throw new IllegalStateException("audit record keyed " + r.key() + " for entity " + id);
        }
        if (e.path("op").asString().equals("history")) {
            historySeqs.add(e.path("after").path("seq").asLong());
        } else if (!e.path("version").isNull() && !e.path("table").asString().equals("prd_agents")) {
            versions.add(e.path("entity").asString() + ":" + id + ":" + e.path("version").asLong());
        }
        if (!e.path("eventId").isNull() && !e.path("eventId").isMissingNode()) {
            eventIds.add(e.path("eventId").asString());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
