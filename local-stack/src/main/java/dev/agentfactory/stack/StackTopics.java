package dev.agentfactory.stack;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidMetadataException;

import dev.agentfactory.stack.junit.Poll;

/**
 * The one way the stack, the tests and the benchmarks make Kafka topics: created, then awaited until every
 * partition has a leader. The broker answers {@code createTopics} before its metadata has caught up, so a client
 * asking right away (ops backup's topic check, a producer an app starts) could still be told the topic does not
 * exist. A create that fails deletes the topics it did create, so its caller has nothing to clean up.
 */
public final class StackTopics {

    private static final Duration LEADERS = Duration.ofSeconds(30);

    private StackTopics() {
    }

    /** Creates the topics (name → partitions, one replica) on the broker at {@code bootstrap}; see the class. */
    public static void create(String bootstrap, Map<String, Integer> partitions) throws Exception {
        create(bootstrap, partitions, Map.of());
    }

    /** {@link #create(String, Map)} with topic configs ({@code retention.ms} ...) set on every topic. */
    public static void create(String bootstrap, Map<String, Integer> partitions, Map<String, String> configs)
            throws Exception {
        try (Admin admin = admin(bootstrap)) {
            create(admin, partitions, configs);
        }
    }

    /** {@link #create(String, Map, Map)} with the caller's admin client. */
    public static void create(Admin admin, Map<String, Integer> partitions, Map<String, String> configs)
            throws Exception {
        if (partitions.isEmpty()) {
            return;
        }
        CreateTopicsResult result = admin.createTopics(partitions.entrySet().stream()
                .map(t -> new NewTopic(t.getKey(), t.getValue(), (short) 1).configs(configs)).toList());
        try {
            result.all().get();
            awaitLeaders(admin, partitions.keySet());
        } catch (Exception | AssertionError e) { // the leader wait times out with an AssertionError
            // Only those this call created: one that already existed is someone else's.
            List<String> created = result.values().entrySet().stream()
                    .filter(t -> t.getValue().isDone() && !t.getValue().isCompletedExceptionally())
                    .map(Map.Entry::getKey).toList();
            try {
                admin.deleteTopics(created).all().get();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Deletes the topics and waits until the broker has accepted the deletion. */
    public static void delete(String bootstrap, Collection<String> names) throws Exception {
        if (names.isEmpty()) {
            return;
        }
        try (Admin admin = admin(bootstrap)) {
            admin.deleteTopics(names).all().get();
        }
    }

    /**
     * The records ever written to {@code topic}: the sum of its partitions' end offsets (for a topic nothing
     * compacts or truncates, such as a benchmark's own).
     */
    public static long records(String bootstrap, String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(ends).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    /** An admin client of the broker at {@code bootstrap}, for a caller's other questions about its topics. */
    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static void awaitLeaders(Admin admin, Collection<String> topics) {
        Poll.until(LEADERS, "leaders of " + sorted(topics), () -> led(admin, topics));
    }

    /**
     * Every partition has a leader in the metadata, and that leader serves it: a broker can name itself leader
     * in its metadata before its replica manager has made the partition. A producer writing in that window is
     * told NOT_LEADER_OR_FOLLOWER, and an idempotent one with several batches in flight can then stay stuck on
     * OUT_OF_ORDER_SEQUENCE_NUMBER (a benchmark's fill hung so). A ListOffsets request goes to the leader and
     * is answered only once it serves the partition.
     */
    private static boolean led(Admin admin, Collection<String> topics) {
        try {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
            boolean named = described.values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            if (!named) {
                return false;
            }
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            described.values().forEach(d -> d.partitions()
                    .forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            admin.listOffsets(partitions).all().get();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InvalidMetadataException) {
                return false; // not yet in this broker's metadata, or not yet served by its leader
            }
            throw new IllegalStateException("cannot describe " + sorted(topics), e.getCause());
        }
    }

    private static String sorted(Collection<String> topics) {
        return topics.stream().sorted().collect(Collectors.joining(", "));
    }
}
