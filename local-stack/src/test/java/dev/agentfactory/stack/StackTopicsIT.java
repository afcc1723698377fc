package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/** StackTopics against the shared broker, on topics named for this run. */
@ExtendWith(LocalStackExtension.class)
class StackTopicsIT {

    private final String run = "it.stack.topics." + Long.toString(System.nanoTime(), 36);

    @Test
    void createsEachTopicWithItsPartitionsAllLedAndDeleteRemovesThem(StackEndpoints endpoints) throws Exception {
        String bootstrap = endpoints.kafkaBootstrap();
        String three = run + ".three";
        String one = run + ".one";
        StackTopics.create(bootstrap, Map.of(three, 3, one, 1));
        try (Admin admin = StackTopics.admin(bootstrap)) {
            // Right after create returns, as a benchmark's producer would ask: no retry here.
            Map<String, TopicDescription> described = admin.describeTopics(List.of(three, one)).allTopicNames().get();
            assertThat(described.get(three).partitions()).hasSize(3);
            assertThat(described.get(one).partitions()).hasSize(1);
            assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions())
                    .allSatisfy(p -> assertThat(p.leader()).isNotNull()));

            StackTopics.delete(bootstrap, List.of(three, one));
            awaitAbsent(admin, Set.of(three, one));
        }
    }

    @Test
    void aFailedCreateDeletesTheTopicsItCreatedButNotOneThatExisted(StackEndpoints endpoints) throws Exception {
        String bootstrap = endpoints.kafkaBootstrap();
        String existing = run + ".existing";
        String fresh = run + ".fresh";
        try (Admin admin = StackTopics.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(existing, 1, (short) 1))).all().get();
            try {
                assertThatThrownBy(() -> StackTopics.create(bootstrap, Map.of(existing, 1, fresh, 2)))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicExistsException.class);
                awaitAbsent(admin, Set.of(fresh));
                assertThat(admin.listTopics().names().get()).contains(existing);
            } finally {
                admin.deleteTopics(List.of(existing)).all().get();
            }
        }
    }

    @Test
    void topicConfigsAreSetOnEveryTopicCreated(StackEndpoints endpoints) throws Exception {
        String bootstrap = endpoints.kafkaBootstrap();
        List<String> topics = List.of(run + ".kept.a", run + ".kept.b");
        StackTopics.create(bootstrap, Map.of(topics.get(0), 1, topics.get(1), 2), Map.of("retention.ms", "604800000"));
        try (Admin admin = StackTopics.admin(bootstrap)) {
            Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all().get();
            assertThat(configs.values()).hasSize(2)
                    .allSatisfy(c -> assertThat(c.get("retention.ms").value()).isEqualTo("604800000"));
        } finally {
            StackTopics.delete(bootstrap, topics);
        }
    }

    private static void awaitAbsent(Admin admin, Set<String> topics) {
        Poll.until(Duration.ofSeconds(30), "deletion of " + topics, () -> {
            try {
                return admin.listTopics().names().get().stream().noneMatch(topics::contains);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
