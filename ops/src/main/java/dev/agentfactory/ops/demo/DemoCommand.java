package dev.agentfactory.ops.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.ops.cli.KafkaClients;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.UsageException;

/**
 * {@code ops demo [--bootstrap B] [--wait-seconds N] [--agent-topic T] [--prd-topic T] [--results-topic T]}: publishes a small set of agent and PRD writes through
 * the contracts producer client (what an agent would do) and prints each write's outcome as the worker
 * reports it on the results topic.
 */
public final class DemoCommand {

    private DemoCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        int waitSeconds;
        KafkaClients kafka;
        String agentTopic;
        String prdTopic;
        String resultsTopic;
        // the environment too: a malformed variable (FACTORY_CDC_LOCK_KEY) is a usage error, as for every command
        try {
            Options cli = Options.parse(args, Set.of("bootstrap", "wait-seconds", "agent-topic", "prd-topic",
                    "results-topic"));
            waitSeconds = Integer.parseInt(cli.get("wait-seconds", env, "FACTORY_DEMO_WAIT_SECONDS", "60"));
            OpsSettings s = OpsSettings.fromEnvironment(env).withBootstrap(cli.get("bootstrap", null));
            kafka = s.kafka();
            agentTopic = cli.get("agent-topic", s.topics().agentWrites());
            prdTopic = cli.get("prd-topic", s.topics().prdWrites());
            resultsTopic = cli.get("results-topic", s.topics().writeResults());
        } catch (IllegalArgumentException | UsageException e) {
            err.println("demo: " + e.getMessage() + "\nusage: ops demo [--bootstrap=host:port] [--wait-seconds=N]"
                    + " [--agent-topic=T] [--prd-topic=T] [--results-topic=T]");
            return 2;
        }
        List<List<WriteEnvelope>> phases = DemoWrites.build(UUID.randomUUID().toString().substring(0, 6));
        try (KafkaConsumer<byte[], byte[]> results = resultsConsumer(kafka, resultsTopic);
             WriteProducer producer = new WriteProducer(kafka.bootstrap(), Map.copyOf(kafka.security()), agentTopic,
                     prdTopic)) {
            for (List<WriteEnvelope> writes : phases) {
                for (WriteEnvelope w : writes) {
                    producer.send(w).join();
                    out.printf("published %-22s %s  eventId=%s%n", w.type().wireName(), w.entityId(), w.eventId());
                }
                int status = awaitOutcomes(results, writes, Duration.ofSeconds(waitSeconds), out, err);
                if (status != 0) {
                    return status;
                }
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("demo failed: " + e.getMessage());
            return 1;
        }
    }

    private static KafkaConsumer<byte[], byte[]> resultsConsumer(KafkaClients kafka, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())));
        List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(tps);
        c.seekToEnd(tps);
        tps.forEach(c::position); // resolve the end now, before anything is published
        return c;
    }

    private static int awaitOutcomes(KafkaConsumer<byte[], byte[]> results, List<WriteEnvelope> writes,
                                     Duration timeout, PrintStream out, PrintStream err) {
        WriteCodec codec = new WriteCodec();
        Map<UUID, WriteEnvelope> pending = new HashMap<>();
        writes.forEach(w -> pending.put(w.eventId(), w));
        List<WriteOutcome> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : results.poll(Duration.ofMillis(500))) {
                WriteOutcome o = codec.decodeOutcome(r.value());
                if (pending.remove(o.eventId()) != null) {
                    seen.add(o);
                    out.printf("outcome   %-22s %s  %s%s%s%n", o.type(), o.entityId(), o.status(),
                            o.version() != null ? " v" + o.version() : "", o.reason() != null ? " (" + o.reason() + ")" : "");
                }
            }
        }
        if (!pending.isEmpty()) {
            err.printf("demo: no outcome for %d write(s) after %d s; is the ingest worker running?%n", pending.size(),
                    timeout.toSeconds());
            return 1;
        }
        return 0;
    }
}
