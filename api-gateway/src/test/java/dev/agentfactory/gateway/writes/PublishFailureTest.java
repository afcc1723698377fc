package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;

import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.problem.ProblemResponses;

/**
 * A write too large for the producer or the broker can never be published by retrying: 413, not the 503
 * "broker unavailable, retry" that a broker outage gets; a producer that refuses at once is an outage too.
 */
class PublishFailureTest {

    @Test
    void aRecordTooLargeForTheProducerOrTheBrokerIsPayloadTooLarge() {
        assertTooLarge(WriteGateway.publishFailure(new RecordTooLargeException("The message is 1049000 bytes")));
        assertTooLarge(WriteGateway.publishFailure(new CompletionException(
                new KafkaException("send failed", new RecordTooLargeException("MESSAGE_TOO_LARGE")))));
    }

    @Test
    void aBrokerThatDoesNotAnswerIsUnavailable() {
        ApiProblem p = WriteGateway.publishFailure(new TimeoutException("Expiring 1 record(s)"));
        assertThat(p.problem().getStatus()).isEqualTo(503);
        assertThat(p.problem().getType().toString()).isEqualTo(ProblemResponses.TYPE_BASE + "broker-unavailable");
    }

    @Test
    void aProducerThatRefusesAtOnceAnswersUnavailableAndEndsTheWait() {
        // a producer closed under the request (the app shutting down): Kafka's producer throws from send
        WriteProducer closing = new WriteProducer("127.0.0.1:9");
        closing.close();
        OutcomeWaiter waiter = mock(OutcomeWaiter.class);
        CompletableFuture<Optional<WriteOutcome>> wait = new CompletableFuture<>();
        when(waiter.register(any(), any())).thenReturn(wait);
        WriteGateway gateway = new WriteGateway(closing, waiter, null, null);
        UUID agent = UUID.randomUUID();
        Submission submission = gateway.submit(new WriteRequest(CommandType.AGENT_UPDATE, agent, null,
                JsonNodeFactory.instance.objectNode().put("name", "n"), null, Duration.ofSeconds(5), "PATCH",
                "/api/v1/agents/" + agent), "user-1");

        assertThatThrownBy(() -> submission.outcome().join()).hasCauseInstanceOf(ApiProblem.class)
                .cause().satisfies(p -> assertThat(((ApiProblem) p).problem().getStatus()).isEqualTo(503));
        verify(waiter).abandon(eq(wait), any(ApiProblem.class));
    }

    private static void assertTooLarge(ApiProblem p) {
        assertThat(p.problem().getStatus()).isEqualTo(413);
        assertThat(p.problem().getType().toString()).isEqualTo(ProblemResponses.TYPE_BASE + "body-too-large");
        assertThat(p.problem().getDetail()).doesNotContain("1049000", "MESSAGE_TOO_LARGE");
    }
}
