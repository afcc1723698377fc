package dev.agentfactory.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;

import dev.agentfactory.stack.TopicLeaders;

/**
 * The one way a benchmark makes its own Kafka topics on the shared broker (named per run, so nothing else reads
 * them): created, then awaited until every partition has a leader, because the apps a benchmark starts produce to
 * them right away; deleted by the benchmark at the end.
 */
public final class BenchTopics {

    private static final Duration LEADERS = Duration.ofSeconds(30);

    private BenchTopics() {
    }

    /**
     * Creates the topics (name → partitions, one replica) and waits for their leaders. If that fails, the ones
     * it did create are deleted before the failure is thrown: the caller has nothing to clean up.
     */
    public static void create(String bootstrap, Map<String, Integer> partitions) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            CreateTopicsResult result = admin.createTopics(partitions.entrySet().stream()
                    .map(t -> new NewTopic(t.getKey(), t.getValue(), (short) 1)).toList());
            try {
                result.all().get();
                TopicLeaders.await(admin, partitions.keySet(), LEADERS);
            } catch (Exception | AssertionError e) { // TopicLeaders times out with an AssertionError
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

    /** An admin client of the broker at {@code bootstrap}, for a benchmark's other questions about its topics. */
    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
