package dev.agentfactory.ops.dlq;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

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
 * unchanged, to their original topic with an idempotent producer, once per run each, with a count of the times the
 * write was replayed. The DLQ itself is never modified.
 * A copy the producer or the broker refuses (too large, say), and a dead letter whose original topic the worker does
 * not read ({@link ReplayTargets}), are reported by the dead letter's position and the others are still sent.
 */
final class DlqReplayer {

    /**
     * {@code replayed} and {@code byTopic} count the copies acknowledged (the matching ones, on a dry run);
     * {@code withoutValue}: where
     * the originals of matching dead letters that hold no value are; {@code refused}: each dead letter whose copy
     * was not acknowledged, {@code dlq-partition@offset (original topic-partition@offset): cause}; {@code unread}:
     * each matching dead letter not sent as the worker reads no such topic (on a dry run too), {@code
     * dlq-partition@offset (original topic-partition@offset)}.
     */
    record Result(int scanned, int replayed, Map<String, Integer> byTopic, List<String> withoutValue,
                  List<String> refused, List<String> unread) {
    }

    /** One copy sent to {@code target}, and where its dead letter is, to name it if the copy is refused. */
    private record Sent(String target, String where, Future<?> ack) {
    }

    private final KafkaClients kafka;
    private final String dlqTopic;
    private final ReplayTargets targets;
    private final int maxRequestBytes;

    /** @param maxRequestBytes the producer's max.request.size, unless the Kafka settings name their own */
    DlqReplayer(KafkaClients kafka, String dlqTopic, ReplayTargets targets, int maxRequestBytes) {
        this.kafka = kafka;
        this.dlqTopic = dlqTopic;
        this.targets = targets;
        this.maxRequestBytes = maxRequestBytes;
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
        // As large as the worker's producer sends (its dead letters with their value are up to that); as in the
        // worker, a max.request.size the Kafka settings give wins.
        pp.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestBytes));
        Map<String, Integer> byTopic = new TreeMap<>();
        List<String> withoutValue = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        List<Sent> sends = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            List<TopicPartition> partitions = consumer.partitionsFor(dlqTopic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + dlqTopic + " does not exist");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            // An earlier replay's copy that came back to the DLQ carries that replay's count, and comes after the
            // first dead letter of the write: a first pass finds each write's highest count among all its dead
            // letters (also those this run's filter leaves out: a later failure, another reason), so the copy sent
            // next says how often the write was replayed (one copy per run, whichever matches first).
            Map<String, Integer> replays = new HashMap<>();
            if (!dryRun) {
                scan(consumer, partitions, end, DlqFilter.ALL, (r, original) -> {
                    String target = targets.target(original);
                    int count = replayCount(r);
                    if (target != null && count > 0) {    // a write without one is at 0, the map's default
                        replays.merge(digest(target, r), count, Math::max);
                    }
                });
            }
            int scanned = scan(consumer, partitions, end, filter, (r, original) -> {
                String target = targets.target(original);
                if (target == null) {
                    unread.add(position(r));
                    return;
                }
                String digest = digest(target, r);
                if (!distinct.add(digest)) {
                    return;    // an earlier replay of this record came back to the DLQ: send it once per run
                }
                byTopic.merge(target, 1, Integer::sum);
                if (!dryRun) {
                    sends.add(new Sent(target, position(r), producer.send(replayRecord(r, target,
                            replays.getOrDefault(digest, 0) + 1))));
                }
            }, withoutValue);
            producer.flush();
            List<String> refused = refused(sends, byTopic);
            return new Result(scanned, byTopic.values().stream().mapToInt(Integer::intValue).sum(), byTopic,
                    List.copyOf(withoutValue), refused, List.copyOf(unread));
        }
    }

    /**
     * Reads the DLQ from its beginning to {@code end} and hands on the dead letters that match the filter and hold
     * their record's value, with their original topic; the others, and those of an unnamed origin, are skipped.
     *
     * @param withoutValue where the originals of matching dead letters without a value are listed, if not null
     * @return the dead letters read
     */
    private static int scan(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                            Map<TopicPartition, Long> end, DlqFilter filter,
                            BiConsumer<ConsumerRecord<byte[], byte[]>, String> match, List<String> withoutValue) {
        consumer.seekToBeginning(partitions);
        int scanned = 0;
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                    continue;
                }
                scanned++;
                String original = DlqFilter.header(r, DlqHeaders.ORIGINAL_TOPIC);
                if (original == null || !filter.matches(r)) {
                    continue;
                }
                if (r.value() == null) {
                    // the worker copies no value over its size limit: re-publishing would write a null
                    // in place of the original, which only its original topic still holds
                    if (withoutValue != null) {
                        withoutValue.add(original(r));
                    }
                    continue;
                }
                match.accept(r, original);
            }
        }
        return scanned;
    }

    private static int scan(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                            Map<TopicPartition, Long> end, DlqFilter filter,
                            BiConsumer<ConsumerRecord<byte[], byte[]>, String> match) {
        return scan(consumer, partitions, end, filter, match, null);
    }

    /**
     * How many times the dead letter's record had been replayed when it was dead-lettered: 0 for never, and for a
     * count that is no number (a header some other tool wrote), which must not stop a recovery; a larger one than
     * {@code Integer.MAX_VALUE - 1} as that, so one more still fits.
     */
    static int replayCount(ConsumerRecord<byte[], byte[]> r) {
        String count = DlqFilter.header(r, DlqHeaders.REPLAY_COUNT);
        try {
            return count == null ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE - 1, Long.parseLong(count.trim())));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Each copy not acknowledged, named by its dead letter, and taken off its topic's count; waits for none, as the
     * producer was flushed.
     */
    private static List<String> refused(List<Sent> sends, Map<String, Integer> byTopic) {
        List<String> refused = new ArrayList<>();
        for (Sent s : sends) {
            try {
                s.ack().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                refused.add(s.where() + ": " + e.getCause());
                byTopic.merge(s.target(), -1, Integer::sum);
            }
        }
        return List.copyOf(refused);
    }

    /** Where the worker read the record a dead letter copies: {@code topic-partition@offset}. */
    private static String original(ConsumerRecord<byte[], byte[]> r) {
        return DlqFilter.header(r, DlqHeaders.ORIGINAL_TOPIC) + "-" + DlqFilter.header(r, DlqHeaders.ORIGINAL_PARTITION)
                + "@" + DlqFilter.header(r, DlqHeaders.ORIGINAL_OFFSET);
    }

    /** A dead letter's position and its original's: {@code dlq-partition@offset (original topic-partition@offset)}. */
    private static String position(ConsumerRecord<byte[], byte[]> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset() + " (original " + original(r) + ")";
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

    /** The original record again: DLQ headers dropped, the replay count given. */
    static ProducerRecord<byte[], byte[]> replayRecord(ConsumerRecord<byte[], byte[]> r, String target, int count) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(target, r.key(), r.value());
        for (Header h : r.headers()) {
            if (!h.key().startsWith("factory.dlq.")) {
                out.headers().add(h);
            }
        }
        out.headers().add(DlqHeaders.REPLAY_COUNT, Integer.toString(count).getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
