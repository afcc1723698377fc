package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * A record over the worker's default payload limit (1,100,000 bytes) that the broker accepted (the stack's
 * brokers, like docker-compose's, allow 2 MiB messages) is dead-lettered and the partition moves on. The
 * worker's producer defaulted to Kafka's {@code max.request.size} of 1 MiB, so copying such a record to the DLQ
 * failed, the batch was rolled back and retried forever: one oversized write stalled its partition. Its dead
 * letter now carries the headers without the value.
 */
@ExtendWith(LocalStackExtension.class)
class OversizedDeadLetterIT {

    private static final WriteCodec CODEC = new WriteCodec();

    @Test
    void aRecordOverTheDefaultLimitIsDeadLetteredAndTheWritesAfterItApply(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("oversized", endpoints, stack.primary());
        UUID agent = UUID.randomUUID();
        byte[] huge = new byte[1_500_000];
        Arrays.fill(huge, (byte) 'x');
        try (WorkerProcess worker = new WorkerProcess("oversized", bed.workerProperties()).start()
                .awaitHealthy(Duration.ofSeconds(90));
             KafkaProducer<String, byte[]> raw = rawProducer(endpoints)) {
            raw.send(new ProducerRecord<>(bed.agentTopic, agent.toString(), huge)).get();
            raw.send(new ProducerRecord<>(bed.agentTopic, agent.toString(), CODEC.encode(new WriteEnvelope(
                    UUID.randomUUID(), agent, null, "it", Instant.now(), 1,
                    new WriteCommand.AgentCreate("after-the-big-one", "A", "planner", null, null, null, null)))))
                    .get();

            bed.awaitCaughtUp(Duration.ofSeconds(60));

            assertThat(bed.count("SELECT count(*) FROM factory.agents WHERE id = '" + agent + "'")).isEqualTo(1);
            List<ConsumerRecord<byte[], byte[]>> dlq = TopicReader.read(endpoints.kafkaBootstrap(), bed.dlqTopic, 1,
                    Duration.ofSeconds(30));
            assertThat(dlq).hasSize(1);
            assertThat(TopicReader.header(dlq.get(0), DlqHeaders.REASON)).isEqualTo("oversized");
            assertThat(TopicReader.header(dlq.get(0), DlqHeaders.ORIGINAL_OFFSET)).isEqualTo("0");
            // Not copied: the DLQ topic need not take what the write topics take; the headers say where it is.
            assertThat(dlq.get(0).value()).isNull();
            assertThat(TopicReader.header(dlq.get(0), DlqHeaders.MESSAGE)).contains("1500000 bytes is not copied");
        }
    }

    /**
     * A DLQ topic left at Kafka's default max.message.bytes (1,048,588) refuses the dead letter of an invalid
     * record under max-payload-bytes, here an incompressible 1,060,000-byte schema violation. The fallback only
     * left out a value over max-payload-bytes, so it sent the same dead letter again, was refused again, and the
     * batch was retried forever with the write after it. Now it goes without its value.
     */
    @Test
    void aDeadLetterTheDlqTopicRefusesUnderThePayloadLimitGoesWithoutItsValueAndTheWritesAfterItApply(
            StackEndpoints endpoints, LocalStack stack) throws Exception {
        TestBed bed = new TestBed("dlq-default-size", endpoints, stack.primary());
        String dlqTopic = bed.dlqTopic + ".default-size";
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(dlqTopic, 1), Map.of("max.message.bytes", "1048588"));
        UUID agent = UUID.randomUUID();
        byte[] invalid = schemaViolation(agent, 1_060_000);
        try (WorkerProcess worker = new WorkerProcess("dlq-default-size", bed.workerProperties(Map.of(
                "factory.ingest.dlq-topic", dlqTopic))).start().awaitHealthy(Duration.ofSeconds(90));
             KafkaProducer<String, byte[]> raw = rawProducer(endpoints)) {
            raw.send(new ProducerRecord<>(bed.agentTopic, agent.toString(), invalid)).get();
            raw.send(new ProducerRecord<>(bed.agentTopic, agent.toString(), CODEC.encode(WriteEnvelope.of(agent, null,
                    "it", new WriteCommand.AgentCreate("after-the-refused-one", "A", "planner", null, null, null,
                            null))))).get();

            bed.awaitCaughtUp(Duration.ofSeconds(60));

            assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE entity_id = '" + agent
                    + "' AND outcome = 'APPLIED'")).isEqualTo(1);
            List<ConsumerRecord<byte[], byte[]>> dlq = TopicReader.read(endpoints.kafkaBootstrap(), dlqTopic, 1,
                    Duration.ofSeconds(30));
            assertThat(dlq).singleElement().satisfies(r -> {
                assertThat(TopicReader.header(r, DlqHeaders.REASON)).isEqualTo("schema_violation");
                assertThat(r.value()).isNull();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(agent.toString());
                assertThat(TopicReader.header(r, DlqHeaders.MESSAGE)).contains("1060000 bytes is not copied (the DLQ"
                        + " refused the dead letter as too large): read it at " + bed.agentTopic + "-");
            });
        }
    }

    /** An envelope of exactly {@code size} bytes with an unknown field of random base64, which lz4 cannot shrink. */
    private static byte[] schemaViolation(UUID agent, int size) {
        String head = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"agent.state.put\",\"entityId\":\"" + agent
                + "\",\"actor\":\"it\",\"occurredAt\":\"" + Instant.now() + "\",\"schemaVersion\":1,"
                + "\"payload\":{\"state\":{}},\"padding\":\"";
        byte[] random = new byte[size];
        new Random(size).nextBytes(random);
        String padding = Base64.getEncoder().encodeToString(random).substring(0, size - head.length() - 2);
        return (head + padding + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<String, byte[]> rawProducer(StackEndpoints endpoints) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }
}
