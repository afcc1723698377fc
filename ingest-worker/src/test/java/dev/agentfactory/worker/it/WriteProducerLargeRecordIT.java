package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * The contract allows a prd.create body of up to 1 MiB and records of up to 1,100,000 bytes; {@link WriteProducer}
 * left Kafka's max.request.size at 1 MiB, which the producer checks against the uncompressed record, so such a
 * write failed with RecordTooLargeException before it reached a broker that would have taken it.
 */
@ExtendWith(LocalStackExtension.class)
class WriteProducerLargeRecordIT {

    @Test
    void aPrdCreateWithABodyNearItsOneMibLimitIsPublishedWithTheDefaultSettings(StackEndpoints endpoints)
            throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String agentTopic = "it.large-agent-writes." + suffix;
        String prdTopic = "it.large-prd-writes." + suffix;
        // as the contract's topics must be set up: they take what the worker accepts (the stack's broker: 2 MiB)
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agentTopic, 1, prdTopic, 1),
                Map.of("max.message.bytes", "2097152"));
        WriteEnvelope create = WriteEnvelope.of(UUID.randomUUID(), null, "it", new WriteCommand.PrdCreate(
                "large-" + suffix, "Large", "x".repeat(1_048_576), null, null, null)); // the largest body allowed
        byte[] value = new WriteCodec().encode(create);
        assertThat(value.length).as("over Kafka's default max.request.size, under the worker's limit")
                .isGreaterThan(1_048_576).isLessThanOrEqualTo(WriteCodec.DEFAULT_MAX_BYTES);
        try (WriteProducer producer = new WriteProducer(endpoints.kafkaBootstrap(), Map.of(), agentTopic, prdTopic)) {
            RecordMetadata sent = producer.send(create).get(30, TimeUnit.SECONDS);
            assertThat(sent.topic()).isEqualTo(prdTopic);
            assertThat(sent.serializedValueSize()).isEqualTo(value.length);
        } finally {
            StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agentTopic, prdTopic));
        }
    }
}
