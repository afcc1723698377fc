package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.contracts.EventIds;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.read.CachedReads;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * Once a waited write's outcome is known, a failed read of the entity (pool exhausted, a pooler hiccup) must
 * not turn the answer into 503 "retry shortly": the write is committed (APPLIED), or can never succeed as
 * sent (CONFLICT), and an unkeyed retry of an applied create or append would apply it a second time.
 */
class KnownOutcomeAnswerTest {

    private final UUID agent = UUID.randomUUID();
    private final UUID eventId = EventIds.next();
    private final CachedReads reads = mock(CachedReads.class);
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void anAppliedWriteWhoseEntityCannotBeReadIsAcceptedWithItsOutcomeAndVersion() {
        when(reads.refreshAgent(agent)).thenThrow(new CannotGetJdbcConnectionException("pool exhausted"));

        ResponseEntity<Object> answer = answer(outcome(WriteOutcome.Status.APPLIED, 3L), null).join();

        assertThat(answer.getStatusCode().value()).isEqualTo(202);
        assertThat(answer.getHeaders().getLocation()).hasToString(WriteAnswers.WRITES_PATH + eventId);
        assertThat(answer.getHeaders().getETag()).isEqualTo("\"3\"");
        assertThat(answer.getBody()).isInstanceOfSatisfying(Map.class, body -> assertThat(body)
                .containsEntry("eventId", eventId).containsEntry("entityId", agent)
                .containsEntry("status", "APPLIED").containsEntry("version", 3L));
    }

    @Test
    void aConflictWhoseEntityCannotBeReadIsAnsweredFromItsOutcome() {
        when(reads.currentAgent(agent)).thenThrow(new CannotGetJdbcConnectionException("pool exhausted"));

        assertProblem(answer(outcome(WriteOutcome.Status.CONFLICT, 5L), 2L), 412, "precondition-failed");
        assertProblem(answer(outcome(WriteOutcome.Status.CONFLICT, 5L), null), 409, "conflict");
    }

    @Test
    void aDuplicateOfARejectedWriteWhoseReasonCannotBeReadIsStillAnsweredRejected() {
        WriteOutcomeRepository outcomes = mock(WriteOutcomeRepository.class);
        when(outcomes.find(eventId)).thenThrow(new CannotGetJdbcConnectionException("pool exhausted"));
        WriteOutcome duplicate = new WriteOutcome(eventId, "agent", agent, "agent.delete",
                WriteOutcome.Status.DUPLICATE, null, WriteOutcome.Status.REJECTED, null, Instant.now());

        assertThatThrownBy(answer(duplicate, null, outcomes)::join).isInstanceOf(CompletionException.class)
                .extracting(Throwable::getCause).isInstanceOfSatisfying(ApiProblem.class,
                        p -> assertThat(p.problem().getStatus()).isEqualTo(422));
    }

    private static void assertProblem(CompletableFuture<ResponseEntity<Object>> answer, int status, String type) {
        assertThatThrownBy(answer::join).isInstanceOf(CompletionException.class)
                .extracting(Throwable::getCause).isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.problem().getStatus()).isEqualTo(status);
                    assertThat(p.problem().getType().toString()).endsWith("/" + type);
                    assertThat(p.problem().getProperties()).containsEntry("currentVersion", 5L);
                });
    }

    private WriteOutcome outcome(WriteOutcome.Status status, long version) {
        return new WriteOutcome(eventId, "agent", agent, "agent.delete", status, version, null,
                status == WriteOutcome.Status.CONFLICT ? "expected version 2 but the agent is at version 5" : null,
                Instant.now());
    }

    /** A waited agent.delete (with If-Match when {@code expectedVersion} is set) whose outcome is known. */
    private CompletableFuture<ResponseEntity<Object>> answer(WriteOutcome outcome, Long expectedVersion) {
        return answer(outcome, expectedVersion, mock(WriteOutcomeRepository.class));
    }

    private CompletableFuture<ResponseEntity<Object>> answer(WriteOutcome outcome, Long expectedVersion,
                                                             WriteOutcomeRepository outcomes) {
        String json = "{\"eventId\":\"" + eventId + "\",\"type\":\"agent.delete\",\"entityId\":\"" + agent
                + "\"" + (expectedVersion == null ? "" : ",\"expectedVersion\":" + expectedVersion)
                + ",\"actor\":\"u\",\"occurredAt\":\"" + Instant.now() + "\",\"schemaVersion\":1,\"payload\":{}}";
        WriteEnvelope envelope = new WriteCodec().decode(json.getBytes(StandardCharsets.UTF_8));
        WriteGateway gateway = mock(WriteGateway.class);
        when(gateway.submit(any(), anyString())).thenReturn(new Submission(envelope, Duration.ofSeconds(5),
                CompletableFuture.completedFuture(Optional.of(outcome))));
        WriteAnswers answers = new WriteAnswers(gateway, reads, outcomes, executor,
                new AnswerDeadline(Duration.ofSeconds(60)), new SimpleMeterRegistry());
        return answers.write(new WriteRequest(CommandType.AGENT_DELETE, agent, expectedVersion,
                JsonNodeFactory.instance.objectNode(), null, Duration.ofSeconds(5), "DELETE",
                "/api/v1/agents/" + agent), "u");
    }
}
