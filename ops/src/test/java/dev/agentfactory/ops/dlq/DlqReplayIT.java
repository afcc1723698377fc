package dev.agentfactory.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.RecordSizes;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** {@code ops dlq-replay} against the shared broker, on topics of its own. */
@ExtendWith(LocalStackExtension.class)
class DlqReplayIT {

    @Test
    void replaysOnlyTheMatchingDeadLettersToTheirOriginalTopicUnchanged(StackEndpoints endpoints) throws Exception {
        String suffix = Long.toString(System.currentTimeMillis(), 36);
        String dlq = "it-ops.dlq." + suffix;
        String origin = "it-ops.writes." + suffix;
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(dlq, 1, origin, 1));
        try (KafkaProducer<byte[], byte[]> p = producer(endpoints.kafkaBootstrap())) {
            p.send(deadLetter(dlq, origin, "k1", "big-1", "oversized", "2026-01-01T10:00:00Z")).get();
            p.send(deadLetter(dlq, origin, "k2", "{broken", "malformed_json", "2026-01-01T11:00:00Z")).get();
            p.send(deadLetter(dlq, origin, "k3", "big-2", "oversized", "2026-01-02T10:00:00Z")).get();
            // k1 again, as when an earlier replay of it was dead-lettered once more: sent once per run, not twice,
            // and counted as replayed a second time
            ProducerRecord<byte[], byte[]> again = deadLetter(dlq, origin, "k1", "big-1", "oversized",
                    "2026-01-01T12:00:00Z");
            // and once more, after the run's --until: not sent by this run, but its count is the write's
            ProducerRecord<byte[], byte[]> later = deadLetter(dlq, origin, "k1", "big-1", "oversized",
                    "2026-01-03T12:00:00Z");
            later.headers().add(DlqHeaders.REPLAY_COUNT, "2".getBytes(StandardCharsets.UTF_8));
            again.headers().add(DlqHeaders.REPLAY_COUNT, "1".getBytes(StandardCharsets.UTF_8));
            p.send(again).get();
            p.send(later).get();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = DlqReplayCommand.run(List.of("--reason=oversized", "--until=2026-01-02T00:00:00Z",
                "--bootstrap=" + endpoints.kafkaBootstrap(), "--dlq-topic=" + dlq), reading(origin),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("replayed 1 of 5 dead letters");
        List<ConsumerRecord<byte[], byte[]>> replayed = readAll(endpoints.kafkaBootstrap(), origin);
        assertThat(replayed).hasSize(1);
        ConsumerRecord<byte[], byte[]> r = replayed.get(0);
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("k1");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("big-1");
        assertThat(r.headers().lastHeader(DlqHeaders.REASON)).isNull();
        assertThat(r.headers().headers(DlqHeaders.REPLAY_COUNT)).hasSize(1);
        assertThat(new String(r.headers().lastHeader(DlqHeaders.REPLAY_COUNT).value(), StandardCharsets.UTF_8))
                .isEqualTo("3");
        assertThat(new String(r.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8)).isEqualTo("t-1");
    }

    /**
     * The worker copies no value into a dead letter whose value is over its limit (DeadLetterPublisher,
     * "read it at topic-partition@offset"): re-publishing that dead letter would put a null value on the
     * write topic in place of the original write.
     */
    @Test
    void aDeadLetterWithoutItsValueIsNotRepublishedAsANullValueAndTheRunFails(StackEndpoints endpoints)
            throws Exception {
        Run run = Run.create(endpoints, "novalue", Map.of());
        String dlq = run.dlq();
        String origin = run.origin();
        try (KafkaProducer<byte[], byte[]> p = producer(endpoints.kafkaBootstrap())) {
            ProducerRecord<byte[], byte[]> dropped = deadLetter(dlq, origin, "k1", "x", "oversized",
                    "2026-01-01T10:00:00Z");
            ProducerRecord<byte[], byte[]> noValue = new ProducerRecord<>(dlq, dropped.key(), null);
            dropped.headers().forEach(noValue.headers()::add);
            noValue.headers().add(DlqHeaders.ORIGINAL_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
            noValue.headers().add(DlqHeaders.ORIGINAL_OFFSET, "7".getBytes(StandardCharsets.UTF_8));
            p.send(noValue).get();
            p.send(deadLetter(dlq, origin, "k2", "big-2", "oversized", "2026-01-01T11:00:00Z")).get();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DlqReplayCommand.run(List.of("--bootstrap=" + endpoints.kafkaBootstrap(), "--dlq-topic=" + dlq),
                reading(origin), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        List<ConsumerRecord<byte[], byte[]>> replayed = readAll(endpoints.kafkaBootstrap(), origin);
        assertThat(replayed).extracting(r -> r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("big-2");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(origin + "-0@7");
    }

    /**
     * The worker's producer sends dead letters of up to max-payload-bytes + 64 KiB with their value; the replay's
     * producer kept Kafka's default max.request.size (1 MiB) and failed on such a dead letter with
     * RecordTooLargeException, exit 1, the rest of the run unsent: the oversized case the command exists for. The
     * shared stack's topics take 2 MiB (the broker's message.max.bytes).
     */
    @Test
    void aDeadLetterOverOneMebibyteIsReplayedWithItsBytesUnchanged(StackEndpoints endpoints) throws Exception {
        Run run = Run.create(endpoints, "large", Map.of());
        String dlq = run.dlq();
        String origin = run.origin();
        byte[] value = incompressible(1_120_000);
        try (KafkaProducer<byte[], byte[]> p = producer(endpoints.kafkaBootstrap())) {
            p.send(deadLetter(dlq, origin, "k1", value, "oversized", "2026-01-01T10:00:00Z")).get();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DlqReplayCommand.run(List.of("--reason=oversized", "--bootstrap=" + endpoints.kafkaBootstrap(),
                "--dlq-topic=" + dlq), reading(origin), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(readAll(endpoints.kafkaBootstrap(), origin)).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualTo(value));
    }

    /**
     * A copy the broker refuses (its topic takes less than the dead letter holds) is named by the dead letter's
     * position, the dead letters after it are still replayed, and the run exits 1.
     */
    @Test
    void aCopyTheBrokerRefusesIsNamedByItsPositionAndTheRestAreReplayed(StackEndpoints endpoints) throws Exception {
        Run run = Run.create(endpoints, "refused", Map.of("max.message.bytes", "1048588"));
        String dlq = run.dlq();
        String origin = run.origin();
        try (KafkaProducer<byte[], byte[]> p = producer(endpoints.kafkaBootstrap())) {
            p.send(deadLetter(dlq, origin, "k1", incompressible(1_120_000), "oversized", "2026-01-01T10:00:00Z"))
                    .get();
            p.send(deadLetter(dlq, origin, "k2", "small".getBytes(StandardCharsets.UTF_8), "oversized",
                    "2026-01-01T11:00:00Z")).get();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DlqReplayCommand.run(List.of("--bootstrap=" + endpoints.kafkaBootstrap(), "--dlq-topic=" + dlq),
                reading(origin), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("1 dead letters were not replayed",
                dlq + "-0@0 (original " + origin + "-0@7)", "RecordTooLargeException");
        assertThat(readAll(endpoints.kafkaBootstrap(), origin)).extracting(r -> new String(r.value(),
                StandardCharsets.UTF_8)).containsExactly("small");
    }

    /**
     * A dead letter from a topic the worker no longer reads (FACTORY_INGEST_AGENT_TOPIC renamed) was sent there: the
     * broker's auto-create made the topic, and the copy counted as replayed though no worker would read it (without
     * auto-create, each such send waited 60 s for metadata, then failed). It is named by its position, a dry run
     * says the same, the others are replayed, and the run exits 1.
     */
    @Test
    void aDeadLetterWhoseTopicTheWorkerDoesNotReadIsNotSentAndTheRunFails(StackEndpoints endpoints) throws Exception {
        Run run = Run.create(endpoints, "unread", Map.of());
        String dlq = run.dlq();
        String origin = run.origin();
        String renamed = run.formerOrigin();
        try (KafkaProducer<byte[], byte[]> p = producer(endpoints.kafkaBootstrap())) {
            p.send(deadLetter(dlq, renamed, "k1", "old", "oversized", "2026-01-01T10:00:00Z")).get();
            p.send(deadLetter(dlq, origin, "k2", "current", "oversized", "2026-01-01T11:00:00Z")).get();
        }
        for (boolean dryRun : List.of(true, false)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> args = new ArrayList<>(List.of("--bootstrap=" + endpoints.kafkaBootstrap(),
                    "--dlq-topic=" + dlq));
            if (dryRun) {
                args.add("--dry-run");
            }
            int status = DlqReplayCommand.run(args, reading(origin), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(status).as("dry run " + dryRun).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains((dryRun ? "would replay" : "replayed")
                    + " 1 of 2 dead letters", origin + ": 1").doesNotContain(renamed);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("1 matching dead letters "
                    + (dryRun ? "would not be replayed" : "were not replayed"), "worker reads (" + origin,
                    dlq + "-0@0 (original " + renamed + "-0@7)");
        }
        assertThat(readAll(endpoints.kafkaBootstrap(), origin)).extracting(r -> new String(r.value(),
                StandardCharsets.UTF_8)).containsExactly("current");
        try (Admin admin = StackTopics.admin(endpoints.kafkaBootstrap())) {
            assertThat(admin.listTopics().names().get()).as("not auto-created").doesNotContain(renamed);
        }
    }

    /** {@code --to-topic=old=new} replays a renamed topic's dead letters to the topic that replaced it. */
    @Test
    void toTopicReplaysARenamedTopicsDeadLettersToItsNewName(StackEndpoints endpoints) throws Exception {
        Run run = Run.create(endpoints, "rename", Map.of());
        try (KafkaProducer<byte[], byte[]> p = producer(endpoints.kafkaBootstrap())) {
            p.send(deadLetter(run.dlq(), run.formerOrigin(), "k1", "old", "oversized", "2026-01-01T10:00:00Z")).get();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DlqReplayCommand.run(List.of("--bootstrap=" + endpoints.kafkaBootstrap(),
                "--dlq-topic=" + run.dlq(), "--to-topic=" + run.formerOrigin() + "=" + run.origin()),
                reading(run.origin()), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(readAll(endpoints.kafkaBootstrap(), run.origin())).singleElement().satisfies(r -> {
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("old");
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("k1");
        });
    }

    @Test
    void aBadOptionIsRefusedWithUsageAndExitCode2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DlqReplayCommand.run(List.of("--reasn=oversized"), Map.of(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --reasn", "usage:");
        for (List<String> bad : List.of(List.of("--since=yesterday"), List.of("--reason", "oversized"),
                List.of("--dry-run=yes"))) {    // a dry run mistyped must not replay for real
            assertThat(DlqReplayCommand.run(bad, Map.of(), System.out,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))).as(bad.toString())
                    .isEqualTo(2);
        }
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(String dlq, String origin, String key, String value,
                                                             String reason, String failedAt) {
        return deadLetter(dlq, origin, key, value.getBytes(StandardCharsets.UTF_8), reason, failedAt);
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(String dlq, String origin, String key, byte[] value,
                                                             String reason, String failedAt) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(dlq, key.getBytes(StandardCharsets.UTF_8), value);
        r.headers().add("traceparent", ("t-" + key.substring(1)).getBytes(StandardCharsets.UTF_8));
        r.headers().add(DlqHeaders.ORIGINAL_TOPIC, origin.getBytes(StandardCharsets.UTF_8));
        r.headers().add(DlqHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
        r.headers().add(DlqHeaders.FAILED_AT, Instant.parse(failedAt).toString().getBytes(StandardCharsets.UTF_8));
        r.headers().add(DlqHeaders.ORIGINAL_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
        r.headers().add(DlqHeaders.ORIGINAL_OFFSET, "7".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /** An environment whose worker reads {@code origin}: the only topic dead letters are replayed to. */
    private static Map<String, String> reading(String origin) {
        return Map.of("FACTORY_INGEST_AGENT_TOPIC", origin, "FACTORY_INGEST_PRD_TOPIC", origin);
    }

    /** A DLQ and an original topic of one test, created; the original one with {@code originConfigs}. */
    private record Run(String dlq, String origin) {

        static Run create(StackEndpoints endpoints, String kind, Map<String, String> originConfigs) throws Exception {
            String suffix = Long.toString(System.nanoTime(), 36);
            Run run = new Run("it-ops.dlq-" + kind + "." + suffix, "it-ops.writes-" + kind + "." + suffix);
            StackTopics.create(endpoints.kafkaBootstrap(), Map.of(run.dlq(), 1));
            StackTopics.create(endpoints.kafkaBootstrap(), Map.of(run.origin(), 1), originConfigs);
            return run;
        }

        /** The name the original topic had before a rename: no topic, and none the worker reads. */
        String formerOrigin() {
            return origin.replace("it-ops.writes-", "it-ops.former-writes-");
        }
    }

    /** Random bytes: what no compression on the way shrinks below a topic's limit. */
    private static byte[] incompressible(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** As large a request as the worker's producer sends dead letters with (the DLQ topics here take 2 MiB). */
    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, RecordSizes.maxRequestBytes(WriteCodec.DEFAULT_MAX_BYTES),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
