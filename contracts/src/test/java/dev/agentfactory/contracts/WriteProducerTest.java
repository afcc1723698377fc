package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every failure to publish reaches the caller through the returned future, none as an exception from send; no
 * setting moves an entity's writes off the partition its key picks.
 */
class WriteProducerTest {

    @Test
    void anOverrideOfThePartitionerIsRefused() {
        for (Map<String, Object> overrides : List.<Map<String, Object>>of(
                Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class),
                Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName()),
                Map.of(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, true))) {
            assertThatThrownBy(() -> new WriteProducer("127.0.0.1:9", overrides, Topics.AGENT_WRITES, Topics.PRD_WRITES)
                    .close()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(overrides.keySet().iterator().next()).hasMessageContaining("in order");
        }
        new WriteProducer("127.0.0.1:9", Map.of(ProducerConfig.LINGER_MS_CONFIG, 0), Topics.AGENT_WRITES,
                Topics.PRD_WRITES).close();
    }

    @Test
    void aValueJsonCannotWriteFailsTheFutureInsteadOfThrowing() {
        // deeper than JSON writers go (500 levels by default): the codec cannot encode it
        ObjectNode deep = JsonNodeFactory.instance.objectNode();
        ObjectNode at = deep;
        for (int i = 0; i < 600; i++) {
            at = at.putObject("a");
        }
        try (WriteProducer producer = new WriteProducer("127.0.0.1:9")) {
            CompletableFuture<RecordMetadata> sent = producer.send(WriteEnvelope.of(UUID.randomUUID(), null, "test",
                    new WriteCommand.AgentStatePut(deep)));
            assertThat(sent).isCompletedExceptionally();
        }
    }

    @Test
    void aClosedProducerFailsTheFutureInsteadOfThrowing() {
        WriteProducer producer = new WriteProducer("127.0.0.1:9");
        producer.close();
        CompletableFuture<RecordMetadata> sent = producer.send(WriteEnvelope.of(UUID.randomUUID(), null, "test",
                new WriteCommand.AgentUpdate(tools.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("name", "n"))));
        assertThat(sent).isCompletedExceptionally();
        assertThatThrownBy(sent::join).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
