package dev.agentfactory.stack;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

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

    /** An admin client of the broker at {@code bootstrap}, for a caller's other questions about its topics. */
    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static void awaitLeaders(Admin admin, Collection<String> topics) {
        Poll.until(LEADERS, "leaders of " + sorted(topics), () -> led(admin, topics));
    }

    private static boolean led(Admin admin, Collection<String> topics) {
        try {
            return admin.describeTopics(topics).allTopicNames().get().values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false; // created, but not yet in the metadata this broker answers from
            }
            throw new IllegalStateException("cannot describe " + sorted(topics), e.getCause());
        }
    }

    private static String sorted(Collection<String> topics) {
        return topics.stream().sorted().collect(Collectors.joining(", "));
    }
}
