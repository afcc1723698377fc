package dev.agentfactory.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.Topics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agent near the worker's size limit (1,100,000 bytes of state, under max-entity-bytes' 1,200,000) updated: its
 * audit event holds the row before and after (REPLICA IDENTITY FULL), about 2.2 MB, over Kafka's 1 MiB default
 * request size and the stack broker's 2 MiB message size. The relay publishes it and its offsets move on, on topics
 * created with the contract's audit configs; at the producer's default the relay stopped on it at every restart.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeAuditEventIT {

    private static final int STATE_CHARS = 1_100_000;

    private RelayBed bed;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new RelayBed("large", endpoints, stack, Topics.AUDIT_CONFIGS);
        bed.start("a", Map.of());
        bed.awaitStreaming(Duration.ofSeconds(90));
    }

    @AfterAll
    void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void anUpdateOfAnAgentNearTheSizeLimitIsPublishedWholeAndTheOffsetsMoveOn() throws Exception {
        WorkerLikeWriter w = new WorkerLikeWriter(bed.primary());
        UUID agent = w.createAgents(1).get(0);
        w.putState(List.of(agent), randomText(STATE_CHARS)); // version 2
        w.updateAgents(List.of(agent)); // version 3: before and after both hold the large state
        String committed = bed.currentLsn();

        JsonNode update = awaitAuditEvent(agent, 3, Duration.ofSeconds(120));
        assertThat(update.path("op").asString()).isEqualTo("update");
        assertThat(update.path("before").path("state").path("notes").asString()).hasSize(STATE_CHARS);
        assertThat(update.path("after").path("state").path("notes").asString()).hasSize(STATE_CHARS);
        bed.awaitConfirmed(Duration.ofSeconds(60), committed);
    }

    /** The agent's audit event of that version, read from the start of the agents audit topic. */
    private JsonNode awaitAuditEvent(UUID agent, long version, Duration timeout) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bed.endpoints.kafkaBootstrap());
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        JsonMapper json = JsonMapper.builder().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = List.of(new TopicPartition(bed.agentsTopic, 0),
                    new TopicPartition(bed.agentsTopic, 1), new TopicPartition(bed.agentsTopic, 2));
            c.assign(parts);
            c.seekToBeginning(parts);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    JsonNode e = json.readTree(r.value());
                    if (r.key().equals(agent.toString()) && e.path("version").asLong() == version) {
                        System.out.printf("audit event of agent %s v%d: %,d bytes%n", agent, version,
                                r.serializedValueSize());
                        return e;
                    }
                }
            }
        }
        throw new AssertionError("no audit event of agent " + agent + " v" + version + " within " + timeout);
    }

    /** Letters and digits at random: lz4 barely compresses them, so the event stays as large on the wire. */
    private static String randomText(int chars) {
        Random random = new Random(7);
        StringBuilder b = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            b.append(Character.forDigit(random.nextInt(36), 36));
        }
        return b.toString();
    }
}
