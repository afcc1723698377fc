package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.problem.ProblemResponses;

/**
 * A write too large for the producer or the broker can never be published by retrying: 413, not the 503
 * "broker unavailable, retry" that a broker outage gets.
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

    private static void assertTooLarge(ApiProblem p) {
        assertThat(p.problem().getStatus()).isEqualTo(413);
        assertThat(p.problem().getType().toString()).isEqualTo(ProblemResponses.TYPE_BASE + "body-too-large");
        assertThat(p.problem().getDetail()).doesNotContain("1049000", "MESSAGE_TOO_LARGE");
    }
}
