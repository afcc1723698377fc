package dev.agentfactory.bench.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Consumes the audit topic from its end and records event commit time → arrival. */
final class AuditListener extends Thread implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final long fromMs;
    private final LagSamples lag;
    private volatile boolean running = true;
    private volatile long seen;
    private volatile Throwable failure;

    AuditListener(String bootstrap, String topic, long fromMs, LagSamples lag) {
        super("bench-audit");
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("fetch.max.wait.ms", "10");
        this.consumer = new KafkaConsumer<>(p);
        this.topic = topic;
        this.fromMs = fromMs;
        this.lag = lag;
        List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                new TopicPartition(topic, 2));
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position);
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    long commit = commitMillis(r.value());
                    if (commit >= fromMs) {
                        lag.add(now - commit);
                        seen++;
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close();
        }
    }

    /** Why the listener stopped before it was closed, or null. */
    Throwable failure() {
        return failure;
    }

    /** Waits until {@code n} events arrived or {@code timeout} passed; returns how many arrived. */
    long awaitCount(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen < n && System.nanoTime() < deadline && isAlive()) {
            Thread.sleep(100);
        }
        return seen;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        join(10_000);
    }

    private static long commitMillis(String json) {
        int i = json.indexOf("\"commitTime\":\"");
        if (i < 0) {
            return -1;
        }
        int start = i + 14;
        return Instant.parse(json.substring(start, json.indexOf('"', start))).toEpochMilli();
    }
}
