package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/** Every failure to publish reaches the caller through the returned future, none as an exception from send. */
class WriteProducerTest {

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
