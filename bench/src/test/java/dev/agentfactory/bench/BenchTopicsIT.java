package dev.agentfactory.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/** BenchTopics against the shared broker, on topics named for this run. */
@ExtendWith(LocalStackExtension.class)
class BenchTopicsIT {

    private final String run = "it.bench.topics." + Long.toString(System.nanoTime(), 36);

    @Test
    void createsEachTopicWithItsPartitionsAllLedAndDeleteRemovesThem(StackEndpoints endpoints) throws Exception {
        String bootstrap = endpoints.kafkaBootstrap();
        String three = run + ".three";
        String one = run + ".one";
        BenchTopics.create(bootstrap, Map.of(three, 3, one, 1));
        try (Admin admin = BenchTopics.admin(bootstrap)) {
            // Right after create returns, as a benchmark's producer would ask: no retry here.
            Map<String, TopicDescription> described = admin.describeTopics(List.of(three, one)).allTopicNames().get();
            assertThat(described.get(three).partitions()).hasSize(3);
            assertThat(described.get(one).partitions()).hasSize(1);
            assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions())
                    .allSatisfy(p -> assertThat(p.leader()).isNotNull()));

            BenchTopics.delete(bootstrap, List.of(three, one));
            awaitAbsent(admin, Set.of(three, one));
        }
    }

    @Test
    void aFailedCreateDeletesTheTopicsItCreatedButNotOneThatExisted(StackEndpoints endpoints) throws Exception {
        String bootstrap = endpoints.kafkaBootstrap();
        String existing = run + ".existing";
        String fresh = run + ".fresh";
        try (Admin admin = BenchTopics.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(existing, 1, (short) 1))).all().get();
            try {
                assertThatThrownBy(() -> BenchTopics.create(bootstrap, Map.of(existing, 1, fresh, 2)))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicExistsException.class);
                awaitAbsent(admin, Set.of(fresh));
                assertThat(admin.listTopics().names().get()).contains(existing);
            } finally {
                admin.deleteTopics(List.of(existing)).all().get();
            }
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
