package dev.agentfactory.bench.gateway;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import dev.agentfactory.contracts.Topics;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.TopicLeaders;

/**
 * The gateway benchmarks' own topics, named per run so nothing else consumes what they publish: created with
 * the write topics' partition count and leaders awaited before a gateway sends to them, deleted at the end.
 */
final class BenchTopics {

    private BenchTopics() {
    }

    static void create(StackEndpoints endpoints, Collection<String> names) throws Exception {
        try (Admin admin = admin(endpoints)) {
            List<NewTopic> all = names.stream().map(t -> new NewTopic(t, Topics.WRITE_PARTITIONS, (short) 1)).toList();
            admin.createTopics(all).all().get();
            TopicLeaders.await(admin, List.copyOf(names), Duration.ofSeconds(30));
        }
    }

    static void delete(StackEndpoints endpoints, Collection<String> names) throws Exception {
        try (Admin admin = admin(endpoints)) {
            admin.deleteTopics(names).all().get();
        }
    }

    static Admin admin(StackEndpoints endpoints) {
        return Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()));
    }
}
