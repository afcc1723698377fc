package dev.agentfactory.stack;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import dev.agentfactory.stack.junit.Poll;

/**
 * Waits until every partition of some new topics has a leader. The broker answers {@code createTopics}
 * before its metadata has caught up, so a client asking right away (ops backup's topic check, a producer)
 * can still be told the topic does not exist: the stack, the tests and the benchmarks wait here first.
 */
public final class TopicLeaders {

    private TopicLeaders() {
    }

    public static void await(Admin admin, Collection<String> topics, Duration timeout) {
        Poll.until(timeout, "leaders of " + topics.stream().sorted().collect(Collectors.joining(", ")),
                () -> led(admin, topics));
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
            throw new IllegalStateException("cannot describe " + topics.stream().sorted()
                    .collect(Collectors.joining(", ")), e.getCause());
        }
    }
}
