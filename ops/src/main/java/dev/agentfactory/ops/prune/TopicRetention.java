package dev.agentfactory.ops.prune;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import dev.agentfactory.ops.cli.KafkaClients;
import dev.agentfactory.ops.cli.OpsException;

/**
 * How long the broker keeps the records the ingest worker could read again (its write topics and its DLQ), read
 * from the broker itself with {@code describeConfigs}: the effective {@code retention.ms} and {@code segment.ms},
 * whether set on the topic or inherited from the broker. A record outlives {@code retention.ms}: the broker deletes
 * whole segments, once the newest record of one is older than the retention, and rolls the active segment only
 * after {@code segment.ms}, so a record can stay up to their sum. A compacted topic without {@code delete} keeps
 * each key's last record forever.
 */
final class TopicRetention {

    /** One topic's retention; {@code forever} when retention.ms is -1 or the topic is compacted only. */
    record Kept(String topic, Duration retention, Duration segment, boolean forever) {

        /** The longest a record can stay: its segment rolls after segment.ms, then waits out retention.ms. */
        Duration horizon() {
            return retention.plus(segment);
        }

        @Override
        public String toString() {
            return topic + " (" + (forever ? "kept forever" : "up to " + readable(horizon()) + ": retention.ms "
                    + retention.toMillis() + " = " + readable(retention) + " plus segment.ms " + segment.toMillis()
                    + " = " + readable(segment)) + ")";
        }
    }

    private final KafkaClients kafka;
    private final Duration timeout;

    TopicRetention(KafkaClients kafka, Duration timeout) {
        this.kafka = kafka;
        this.timeout = timeout;
    }

    /** The retention of each topic; a broker that does not answer or a topic it does not have is an OpsException. */
    List<Kept> of(List<String> topics) {
        int ms = (int) timeout.toMillis();
        try (Admin admin = Admin.create(kafka.config(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms, AdminClientConfig.CLIENT_ID_CONFIG, "factory-ops-prune")))) {
            List<ConfigResource> resources = topics.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(resources).values();
            List<Kept> out = new ArrayList<>();
            for (ConfigResource r : resources) {
                try {
                    out.add(kept(r.name(), futures.get(r).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS)));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        throw new OpsException("cannot read the retention of topic " + r.name() + ": it does not exist"
                                + " on " + kafka.bootstrap(), e.getCause());
                    }
                    throw e;
                }
            }
            return out;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new OpsException("cannot read the retention of " + String.join(", ", topics) + " from "
                    + kafka.bootstrap() + ": " + cause, cause);
        } catch (KafkaException e) { // the client could not be built from the settings (a SASL setting missing)
            throw new OpsException("cannot read the retention of " + String.join(", ", topics) + " with " + kafka
                    + ": " + e.getMessage() + " (" + rootCause(e).getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException("interrupted while reading topic retention from " + kafka.bootstrap(), e);
        }
    }

    /**
     * Why pruning outcomes older than {@code olderThan} would break dedup, or null when it would not. Any record still
     * in a topic can be read again (an offset reset, a replay, a DLQ replay) and must then find its eventId. The
     * longest a record can stay is a dead letter's: the DLQ keeps it up to its horizon, ops dlq-replay re-publishes
     * it (a replay after the first answers DUPLICATE and leaves the dedup row's processed_at as it was), and the
     * write topic keeps that copy its own horizon from then. So the age must be longer than the two added up.
     */
    static String refusal(Duration olderThan, List<Kept> writes, Kept dlq) {
        for (Kept k : Stream.concat(writes.stream(), Stream.of(dlq)).toList()) {
            if (k.forever()) {
                return "topic " + k + " can redeliver a record of any age, so no cut is safe: a record older than"
                        + " the cut would find no dedup record and be applied a second time.";
            }
        }
        Kept longest = writes.stream().max(Comparator.comparing(Kept::horizon)).orElseThrow();
        Duration reach = dlq.horizon().plus(longest.horizon());
        if (olderThan.compareTo(reach) <= 0) {
            return "--older-than " + readable(olderThan) + " is not longer than a record can stay where the worker"
                    + " can read it again, " + readable(reach) + ": topic " + dlq + " can keep a dead letter, and"
                    + " topic " + longest + " the copy ops dlq-replay re-publishes from it (the broker deletes a"
                    + " segment only once its newest record is older than retention.ms). A record older than the cut"
                    + " can still be redelivered (offset reset, replay, DLQ replay), would find no dedup record and be"
                    + " applied a second time.";
        }
        return null;
    }

    /**
     * 30d, 36h, 90m or else ISO-8601: how an operator writes --older-than. In seconds, not milliseconds: a
     * retention.ms of Long.MAX_VALUE plus segment.ms, or a huge --older-than, holds more milliseconds than a long.
     */
    static String readable(Duration d) {
        long s = d.getSeconds();
        if (d.getNano() != 0) {
            return d.toString();
        }
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : d.toString();
    }

    private static Kept kept(String topic, Config config) {
        long retentionMs = Long.parseLong(value(config, TopicConfig.RETENTION_MS_CONFIG, topic));
        long segmentMs = Long.parseLong(value(config, TopicConfig.SEGMENT_MS_CONFIG, topic));
        String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG, topic);
        boolean compactOnly = policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)
                && !policy.contains(TopicConfig.CLEANUP_POLICY_DELETE);
        boolean forever = retentionMs < 0 || compactOnly;
        return new Kept(topic, Duration.ofMillis(Math.max(retentionMs, 0)), Duration.ofMillis(segmentMs), forever);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String value(Config config, String name, String topic) {
        ConfigEntry e = config.get(name);
        if (e == null || e.value() == null) {
            throw new OpsException("the broker did not report " + name + " of topic " + topic);
        }
        return e.value();
    }
}
