package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                     ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000,
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
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
}
