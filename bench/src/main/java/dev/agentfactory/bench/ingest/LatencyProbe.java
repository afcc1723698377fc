package dev.agentfactory.bench.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.agentfactory.bench.Samples;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;

/**
 * Produce → commit latency at a fixed rate (open loop: sends are scheduled by the clock, not by
 * replies). The commit time of a write is the timestamp of its outcome record, which the worker
 * publishes right after the database commit. A write's latency runs from when it was due (the probe's start
 * plus n intervals), not from when the probe got round to sending it: a send that blocks (a full producer
 * buffer, a metadata fetch) delays every write behind it, and that delay is the system's (no coordinated
 * omission).
 */
final class LatencyProbe {

    private LatencyProbe() {
    }

    /** When the {@code n}-th write was due, in epoch milliseconds: {@code n} intervals after the probe's start. */
    static double dueMillis(long startMillis, long n, long intervalNanos) {
        return startMillis + n * intervalNanos / 1e6;
    }

    /** The latency of the {@code n}-th write committed at {@code committedMillis}: from when it was due, not sent. */
    static double latencyMillis(long committedMillis, long startMillis, long n, long intervalNanos) {
        return Math.max(0, committedMillis - dueMillis(startMillis, n, intervalNanos));
    }

    /** Returns {p50, p99, max} in milliseconds over the writes sent. */
    static double[] run(String bootstrap, WriteProducer producer, String resultsTopic, List<Workload.Row> rows,
                        int ratePerSecond) throws Exception {
        Map<UUID, Integer> sentAs = new ConcurrentHashMap<>();
        double[] latencies = new double[rows.size()];
        try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(resultsTopic).stream()
                    .map(p -> new TopicPartition(resultsTopic, p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            WriteCodec codec = new WriteCodec();
            long intervalNanos = 1_000_000_000L / ratePerSecond;
            long start = System.nanoTime();
            long startMillis = System.currentTimeMillis();
            int sent = 0;
            int seen = 0;
            long deadline = start + (rows.size() * intervalNanos) + Duration.ofSeconds(60).toNanos();
            while (seen < rows.size() && System.nanoTime() < deadline) {
                long now = System.nanoTime();
                while (sent < rows.size() && now - start >= sent * intervalNanos) {
                    WriteEnvelope e = WorkerRun.envelope(rows.get(sent));
                    sentAs.put(e.eventId(), sent);
                    producer.send(e);
                    sent++;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(2))) {
                    Integer n = sentAs.remove(codec.decodeOutcome(r.value()).eventId());
                    if (n != null) {
                        latencies[seen++] = latencyMillis(r.timestamp(), startMillis, n, intervalNanos);
                    }
                }
            }
            if (seen < rows.size()) {
                throw new IllegalStateException("only " + seen + " of " + rows.size() + " outcomes arrived");
            }
        }
        return new double[] {Samples.percentile(latencies, 50), Samples.percentile(latencies, 99),
                latencies[latencies.length - 1]};
    }
}
