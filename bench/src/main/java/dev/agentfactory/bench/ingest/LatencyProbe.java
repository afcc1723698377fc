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

import dev.agentfactory.bench.Figures;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;

/**
 * Produce → commit latency at a fixed rate (open loop: sends are scheduled by the clock, not by
 * replies). The commit time of a write is the timestamp of its outcome record, which the worker
 * publishes right after the database commit.
 */
final class LatencyProbe {

    private LatencyProbe() {
    }

    /** Returns {p50, p99, max} in milliseconds over the writes sent. */
    static double[] run(String bootstrap, WriteProducer producer, String resultsTopic, List<Workload.Row> rows,
                        int ratePerSecond) throws Exception {
        Map<UUID, Long> sentAt = new ConcurrentHashMap<>();
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
            int sent = 0;
            int seen = 0;
            long deadline = start + (rows.size() * intervalNanos) + Duration.ofSeconds(60).toNanos();
            while (seen < rows.size() && System.nanoTime() < deadline) {
                long now = System.nanoTime();
                while (sent < rows.size() && now - start >= sent * intervalNanos) {
                    WriteEnvelope e = WorkerRun.envelope(rows.get(sent));
                    sentAt.put(e.eventId(), System.currentTimeMillis());
                    producer.send(e);
                    sent++;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(2))) {
                    Long t = sentAt.remove(codec.decodeOutcome(r.value()).eventId());
                    if (t != null) {
                        latencies[seen++] = Math.max(0, r.timestamp() - t);
                    }
                }
            }
            if (seen < rows.size()) {
                throw new IllegalStateException("only " + seen + " of " + rows.size() + " outcomes arrived");
            }
        }
        return new double[] {Figures.quantile(latencies, 0.50), Figures.quantile(latencies, 0.99),
                latencies[latencies.length - 1]};
    }
}
