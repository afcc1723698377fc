package dev.agentfactory.ops.replay;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.store.replica.IdentitySequences;
import dev.agentfactory.store.replica.RowApplier;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Brings a database forward along the audit topics: from given offsets per partition (a backup's, or the
 * beginning) to the end offsets read when it starts, or only through events committed up to {@code until}.
 * The partitions are merged into a dependency-safe order ({@link WatermarkMerge}: a link on the PRD topic is
 * applied only once the agent it names, on the agent topic, can no longer be behind it), so replay needs no
 * superuser: foreign keys and reference triggers stay on (Supabase's and Cloud SQL's {@code postgres} is not a
 * superuser). A superuser session still runs in replica mode, as a logical replica does. One database
 * transaction per poll that releases events; a poll that only fills the merge's buffer commits nothing.
 */
public final class AuditReplay {

    /** How far a replay got; {@code rowImages}: those committed (applied or found already newer), each once. */
    public record Result(long events, long rowImages, long skippedAfterUntil, double seconds) {
    }

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final AuditTopics topics;
    private final long lockKey;
    private final JsonMapper json = JsonMapper.builder().build();

    /** {@code lockKey}: the relays' lock key, from which each transaction's standby apply lock is made. */
    public AuditReplay(AuditTopics topics, long lockKey) {
        this.topics = topics;
        this.lockKey = lockKey;
    }

    /**
     * {@code from}: topic -> partition -> first offset to apply (a backup's, naming exactly the configured audit
     * topics; empty: from the beginning), {@link AuditTopics#startOffsets}.
     */
    public Result replay(Connection target, Map<String, Map<Integer, Long>> from, Instant until) throws Exception {
        long t0 = System.nanoTime();
        long events = 0;
        long skipped = 0;
        target.setAutoCommit(false);
        ReplayTransactions batches;
        try (KafkaConsumer<String, String> consumer = topics.consumer()) {
            List<TopicPartition> parts = topics.partitions(consumer);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, Duration.ofSeconds(30));
            Map<TopicPartition, Long> starts = topics.startOffsets(parts, from);
            consumer.assign(parts);
            Set<TopicPartition> open = new HashSet<>();
            for (TopicPartition tp : parts) {
                long start = starts.get(tp);
                if (start < begin.get(tp)) {
                    throw new OpsException(tp + " starts at offset " + begin.get(tp) + " but the replay needs "
                            + start + ": the topic's retention dropped changes after the backup; restore a newer one");
                }
                // offsets only grow: a log shorter than the backup's offset is not the log the backup saw
                if (start > end.get(tp)) {
                    throw new OpsException(tp + " ends at offset " + end.get(tp) + " but the backup recorded "
                            + start + ": the audit topics were recreated or are another cluster's; the changes"
                            + " after the backup cannot be located, replay refuses rather than skip them");
                }
                consumer.seek(tp, start);
                if (start < end.get(tp)) {
                    open.add(tp);
                }
            }
            WatermarkMerge<TopicPartition> merge = new WatermarkMerge<>(open);
            batches = new ReplayTransactions(target, new RowApplier(target, json), merge, lockKey);
            while (!open.isEmpty()) {
                List<ConsumerRecord<String, String>> batch = new ArrayList<>();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (open.contains(tp) && r.offset() < end.get(tp)) {
                        batch.add(r);
                    }
                }
                for (ConsumerRecord<String, String> r : batch) {
                    Map<String, Object> e = json.readValue(r.value(), MAP);
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (until != null && Instant.parse((String) e.get("commitTime")).isAfter(until)) {
                        open.remove(tp); // commit order within a partition: nothing later qualifies
                        merge.close(tp);
                        consumer.pause(List.of(tp));
                        skipped++;
                        continue;
                    }
                    if (open.contains(tp)) {
                        merge.add(tp, e);
                    }
                }
                for (TopicPartition tp : parts) {
                    if (open.contains(tp) && consumer.position(tp) >= end.get(tp)) {
                        open.remove(tp);
                        merge.close(tp);
                    }
                }
                events += batches.applyReleased();
            }
            events += batches.applyRest();
            IdentitySequences.advance(target);
            target.commit();
        } catch (Exception e) {
            target.rollback();
            throw e;
        }
        return new Result(events, batches.rowImages(), skipped, (System.nanoTime() - t0) / 1e9);
    }

    /** Offsets for "from the beginning". */
    public static Map<String, Map<Integer, Long>> fromBeginning() {
        return new HashMap<>();
    }
}
