package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.contracts.Topics;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.problem.ProblemResponses;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * A write the broker refused or never got is "not accepted": 413 when too large (retrying cannot help), else 503
 * broker-unavailable. A publish that timed out after its record was queued may have been appended and committed
 * (Kafka expires the batch after delivery.timeout.ms whether or not the leader took it): never "not accepted",
 * which would have a client retry an unkeyed create or history append into a duplicate.
 */
class PublishFailureTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final OutcomeWaiter waiter = new OutcomeWaiter(mock(WriteOutcomeRepository.class), scheduler,
            OutcomeWaiterTest.props(Duration.ofSeconds(60)), new SimpleMeterRegistry());
    private final CompletableFuture<RecordMetadata> publish = new CompletableFuture<>();
    private final WriteProducer producer = mock(WriteProducer.class);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aRecordTooLargeForTheProducerOrTheBrokerIsPayloadTooLarge() {
        assertTooLarge(WriteGateway.publishFailure(new RecordTooLargeException("The message is 1049000 bytes")));
        assertTooLarge(WriteGateway.publishFailure(new CompletionException(
                new KafkaException("send failed", new RecordTooLargeException("MESSAGE_TOO_LARGE")))));
    }

    @Test
    void onlyARetriableFailureReportedAfterTheRetriesMayHaveLanded() {
        assertThat(WriteGateway.mayHaveLanded(new TimeoutException("Expiring 1 record(s) for factory.agent-writes.v1-0"))).isTrue();
        assertThat(WriteGateway.mayHaveLanded(new NetworkException("connection lost"))).isTrue();
        assertThat(WriteGateway.mayHaveLanded(new NotEnoughReplicasAfterAppendException("acks=all"))).isTrue();
        assertThat(WriteGateway.mayHaveLanded(new KafkaException("wrapped", new TimeoutException("expired")))).isTrue();

        assertThat(WriteGateway.mayHaveLanded(new RecordTooLargeException("MESSAGE_TOO_LARGE"))).isFalse();
        assertThat(WriteGateway.mayHaveLanded(new TopicAuthorizationException("no WRITE"))).isFalse();
        assertThat(WriteGateway.mayHaveLanded(new KafkaException("Producer is closed forcefully."))).isFalse();
    }

    @Test
    void aPublishThatTimedOutAfterItsRecordWasQueuedIsAnsweredOutcomeUnknownWithItsLocation() {
        Submission submission = submit(Duration.ZERO, null);
        assertThat(submission.outcome()).isNotDone();

        publish.completeExceptionally(new TimeoutException("Expiring 1 record(s): 10000 ms has passed since batch creation"));

        assertOutcomeUnknown(submission);
    }

    @Test
    void aWaitedWriteWhosePublishTimedOutKeepsWaitingAndIsAnsweredByItsOutcome() throws Exception {
        Submission submission = submit(Duration.ofSeconds(30), null);
        UUID eventId = submission.envelope().eventId();

        publish.completeExceptionally(new NetworkException("the connection to the leader was lost"));
        assertThat(submission.outcome()).isNotDone();
        // the leader had appended it: the worker committed it and published its outcome
        WriteOutcome applied = new WriteOutcome(eventId, "agent", submission.envelope().entityId(), "agent.update",
                WriteOutcome.Status.APPLIED, 2L, null, null, Instant.now());
        waiter.complete(applied);

        assertThat(submission.outcome().get(3, TimeUnit.SECONDS)).contains(applied);
    }

    @Test
    void aWaitedWriteWhosePublishTimedOutAndWhoseOutcomeNeverCameIsOutcomeUnknownAtItsDeadline() {
        Submission submission = submit(Duration.ofMillis(300), "key-1");

        publish.completeExceptionally(new TimeoutException("Expiring 1 record(s)"));

        assertOutcomeUnknown(submission);
    }

    @Test
    void aFailureTheBrokerReportsForARecordItRefusedIsStillNotAcceptedAndEndsTheWait() {
        OutcomeWaiter waiting = mock(OutcomeWaiter.class);
        CompletableFuture<Optional<WriteOutcome>> wait = new CompletableFuture<>();
        when(waiting.register(any(), any())).thenReturn(wait);
        when(producer.send(any())).thenReturn(publish);
        Submission submission = submit(new WriteGateway(producer, waiting, null, null), Duration.ofSeconds(30), null);

        publish.completeExceptionally(new TopicAuthorizationException("not authorized to write"));

        assertProblem(submission, 503, "broker-unavailable");
        verify(waiting).abandon(eq(wait), any(ApiProblem.class));
    }

    @Test
    void aTimeoutReportedBySendItselfIsNotAcceptedAsTheRecordWasNeverQueued() {
        // No broker: Kafka's producer gives up waiting for metadata (max.block.ms) inside send, and calls back there.
        try (WriteProducer unreachable = new WriteProducer("127.0.0.1:9", Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 200),
                Topics.AGENT_WRITES, Topics.PRD_WRITES)) {
            WriteGateway gateway = new WriteGateway(unreachable, waiter, null, null);

            Submission submission = submit(gateway, Duration.ZERO, null);

            assertProblem(submission, 503, "broker-unavailable");
        }
    }

    @Test
    void aProducerThatRefusesAtOnceAnswersUnavailableAndEndsTheWait() {
        // a producer closed under the request (the app shutting down): Kafka's producer throws from send
        WriteProducer closing = new WriteProducer("127.0.0.1:9");
        closing.close();
        OutcomeWaiter waiting = mock(OutcomeWaiter.class);
        CompletableFuture<Optional<WriteOutcome>> wait = new CompletableFuture<>();
        when(waiting.register(any(), any())).thenReturn(wait);

        Submission submission = submit(new WriteGateway(closing, waiting, null, null), Duration.ofSeconds(5), null);

        assertProblem(submission, 503, "broker-unavailable");
        verify(waiting).abandon(eq(wait), any(ApiProblem.class));
    }

    private Submission submit(Duration wait, String idempotencyKey) {
        when(producer.send(any())).thenReturn(publish);
        WriteOutcomeRepository outcomes = mock(WriteOutcomeRepository.class);
        when(outcomes.find(any())).thenReturn(Optional.empty());
        return submit(new WriteGateway(producer, waiter, mock(IdempotencyKeys.class), outcomes), wait, idempotencyKey);
    }

    private static Submission submit(WriteGateway gateway, Duration wait, String idempotencyKey) {
        UUID agent = UUID.randomUUID();
        return gateway.submit(new WriteRequest(CommandType.AGENT_UPDATE, agent, null,
                JsonNodeFactory.instance.objectNode().put("name", "n"), idempotencyKey, wait, "PATCH",
                "/api/v1/agents/" + agent), "user-1");
    }

    private static void assertOutcomeUnknown(Submission submission) {
        UUID eventId = submission.envelope().eventId();
        ApiProblem p = assertProblem(submission, 503, "publish-outcome-unknown");
        assertThat(p.problem().getProperties()).containsEntry("eventId", eventId);
        assertThat(p.headers().getFirst(HttpHeaders.LOCATION)).isEqualTo(WriteAnswers.WRITES_PATH + eventId);
        assertThat(p.problem().getDetail()).contains("may have been accepted", "Location", "same Idempotency-Key")
                .doesNotContain("not accepted");
    }

    private static ApiProblem assertProblem(Submission submission, int status, String type) {
        Throwable failure = catchFailure(submission);
        assertThat(failure).isInstanceOf(ApiProblem.class);
        ApiProblem p = (ApiProblem) failure;
        assertThat(p.problem().getStatus()).isEqualTo(status);
        assertThat(p.problem().getType().toString()).isEqualTo(ProblemResponses.TYPE_BASE + type);
        return p;
    }

    private static Throwable catchFailure(Submission submission) {
        try {
            submission.outcome().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return e.getCause();
        }
        throw new AssertionError("the submission did not fail: " + submission.outcome().join());
    }

    private static void assertTooLarge(ApiProblem p) {
        assertThat(p.problem().getStatus()).isEqualTo(413);
        assertThat(p.problem().getType().toString()).isEqualTo(ProblemResponses.TYPE_BASE + "body-too-large");
        assertThat(p.problem().getDetail()).doesNotContain("1049000", "MESSAGE_TOO_LARGE");
    }
}
