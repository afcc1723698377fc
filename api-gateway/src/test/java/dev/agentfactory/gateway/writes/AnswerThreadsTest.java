package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.read.CachedReads;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * The answer threads read applied writes back (the database with retries, Redis), which takes seconds each while
 * Redis hangs or the database is slow. An answer that reads nothing never waits for them (a plain 202 queued
 * behind them outlasted the async request timeout, whose 503 a client retries), a read-back that finds them
 * all busy is answered from its outcome instead of queueing without bound, and so is one still reading when the
 * request timeout nears (a silent database holds a read about 40 s).
 */
class AnswerThreadsTest {

    private final UUID agent = UUID.randomUUID();
    private final WriteEnvelope envelope = WriteEnvelope.of(agent, null, "u", new WriteCommand.AgentDelete());
    private final CachedReads reads = mock(CachedReads.class);
    /** Holds the answer threads, as a read of a hung Redis or a database that does not answer would. */
    private final CountDownLatch readsBack = new CountDownLatch(1);
    private ExecutorService executor;
    private AnswerDeadline deadline = new AnswerDeadline(Duration.ofSeconds(60));

    @AfterEach
    void stop() {
        readsBack.countDown();
        executor.shutdownNow();
    }

    @Test
    void aPlainAcceptedAnswerDoesNotWaitForTheAnswerThreads() throws Exception {
        executor = Executors.newSingleThreadExecutor();
        busy(executor);

        CompletableFuture<ResponseEntity<Object>> accepted = write(Duration.ZERO, Optional.empty());

        assertThat(accepted.get(2, TimeUnit.SECONDS).getStatusCode().value()).isEqualTo(202);
        assertThat(accepted.join().getHeaders().getLocation()).hasToString(WriteAnswers.WRITES_PATH + envelope.eventId());
    }

    @Test
    void aRejectedWriteIsAnsweredWithoutTheAnswerThreads() throws Exception {
        executor = Executors.newSingleThreadExecutor();
        busy(executor);

        CompletableFuture<ResponseEntity<Object>> rejected = write(Duration.ofSeconds(5),
                Optional.of(outcome(WriteOutcome.Status.REJECTED, null)));

        assertThatThrownBy(() -> rejected.get(2, TimeUnit.SECONDS)).hasMessageContaining("unknown agent");
    }

    /**
     * An append leaves the agent's row and version as they were: reading the agent back (up to about 1 MB), moving
     * its cache entry and ending the list epoch for it answered nothing the client asked, behind the answer threads.
     */
    @Test
    void anAppliedHistoryAppendIsAnsweredWithItsOutcomeWithoutReadingOrWaitingForTheAnswerThreads() throws Exception {
        executor = Executors.newSingleThreadExecutor();
        busy(executor);
        WriteEnvelope append = WriteEnvelope.of(agent, null, "u", new WriteCommand.AgentHistoryAppend("learning",
                JsonNodeFactory.instance.objectNode().put("lesson", "read less"), null));
        WriteOutcome applied = new WriteOutcome(append.eventId(), "agent", agent, "agent.history.append",
                WriteOutcome.Status.APPLIED, 3L, null, null, Instant.now());
        WriteOutcome duplicate = new WriteOutcome(append.eventId(), "agent", agent, "agent.history.append",
                WriteOutcome.Status.DUPLICATE, 3L, WriteOutcome.Status.APPLIED, null, Instant.now());

        for (WriteOutcome outcome : List.of(applied, duplicate)) {
            ResponseEntity<Object> answer = write(append, Duration.ofSeconds(5), Optional.of(outcome))
                    .get(2, TimeUnit.SECONDS);

            assertThat(answer.getStatusCode().value()).as(outcome.status().name()).isEqualTo(200);
            assertThat(answer.getHeaders().getETag()).as("the agent may have changed since the append").isNull();
            assertThat(answer.getHeaders().getLocation()).isNull();
            assertThat(answer.getHeaders().getFirst("Preference-Applied")).isEqualTo("wait=5");
            assertThat(answer.getHeaders().getFirst("Link"))
                    .isEqualTo("<" + WriteAnswers.WRITES_PATH + append.eventId() + ">; rel=\"write-outcome\"");
            assertThat(answer.getBody()).isEqualTo(Map.of("eventId", append.eventId(), "entityId", agent,
                    "type", "agent.history.append", "status", "APPLIED", "version", 3L));
        }
        verifyNoInteractions(reads);
    }

    @Test
    void anAppliedWriteFindingEveryAnswerThreadBusyAndTheQueueFullIsAcceptedWithItsOutcome() throws Exception {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1));
        busy(executor);
        busy(executor);

        CompletableFuture<ResponseEntity<Object>> answer = write(Duration.ofSeconds(5),
                Optional.of(outcome(WriteOutcome.Status.APPLIED, 3L)));

        assertAppliedUnread(answer.get(2, TimeUnit.SECONDS));
    }

    @Test
    void anAppliedWriteThatWaitedTooLongForAnAnswerThreadIsAcceptedWithItsOutcome() throws Exception {
        executor = Executors.newSingleThreadExecutor();
        busy(executor);
        CompletableFuture<ResponseEntity<Object>> answer = write(Duration.ofSeconds(5),
                Optional.of(outcome(WriteOutcome.Status.APPLIED, 3L)));

        Thread.sleep(WriteAnswers.MAX_QUEUED_MILLIS + 200);
        readsBack.countDown();

        assertAppliedUnread(answer.get(2, TimeUnit.SECONDS));
    }

    @Test
    void anAppliedWriteWhoseReadBackOutlastsItsBudgetIsAcceptedWithItsOutcomeBeforeTheRequestTimeout() throws Exception {
        executor = Executors.newSingleThreadExecutor();
        when(reads.refreshAgent(agent)).thenAnswer(invocation -> blockedRead());
        // About a second to read: the request timeout less the margin (the outcome came at once).
        Duration requestTimeout = AnswerDeadline.MARGIN.plusSeconds(1);
        deadline = new AnswerDeadline(requestTimeout);
        long start = System.nanoTime();

        CompletableFuture<ResponseEntity<Object>> answer = write(Duration.ofSeconds(5),
                Optional.of(outcome(WriteOutcome.Status.APPLIED, 3L)));

        ResponseEntity<Object> accepted = answer.get(requestTimeout.toMillis() - 1_000, TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(requestTimeout.minus(AnswerDeadline.MARGIN)
                .plusMillis(500));
        assertThat(accepted.getStatusCode().value()).isEqualTo(202);
        assertThat(accepted.getHeaders().getETag()).isEqualTo("\"3\"");
        assertThat(accepted.getHeaders().getLocation()).hasToString(WriteAnswers.WRITES_PATH + envelope.eventId());
        assertThat(accepted.getBody()).isInstanceOfSatisfying(Map.class, body -> assertThat(body)
                .containsEntry("eventId", envelope.eventId()).containsEntry("status", "APPLIED")
                .containsEntry("version", 3L));
        verify(reads).refreshAgent(agent);
    }

    @Test
    void aConflictWhoseReadOutlastsItsBudgetIsAnsweredFromItsOutcome() {
        executor = Executors.newSingleThreadExecutor();
        when(reads.currentAgent(agent)).thenAnswer(invocation -> blockedRead());
        deadline = new AnswerDeadline(AnswerDeadline.MARGIN.plusMillis(500));

        CompletableFuture<ResponseEntity<Object>> answer = write(Duration.ofSeconds(5),
                Optional.of(outcome(WriteOutcome.Status.CONFLICT, 5L)));

        assertThatThrownBy(() -> answer.get(2, TimeUnit.SECONDS)).hasCauseInstanceOf(ApiProblem.class)
                .extracting(Throwable::getCause).isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.problem().getStatus()).isEqualTo(409);
                    assertThat(p.problem().getProperties()).containsEntry("currentVersion", 5L);
                });
    }

    @Test
    void anAppliedWriteWhoseOutcomeCameWithNoTimeLeftToReadIsAcceptedWithItsOutcomeAtOnce() throws Exception {
        executor = Executors.newSingleThreadExecutor();
        deadline = new AnswerDeadline(AnswerDeadline.MARGIN);

        CompletableFuture<ResponseEntity<Object>> answer = write(Duration.ofSeconds(5),
                Optional.of(outcome(WriteOutcome.Status.APPLIED, 3L)));

        assertAppliedUnread(answer.get(1, TimeUnit.SECONDS));
    }

    @Test
    void theAnswerThreadsQueueIsBounded() {
        executor = new WriteKafkaConfiguration().writeAnswerExecutor(OutcomeWaiterTest.props(Duration.ofMillis(250)));
        for (int i = 0; i < 8; i++) {
            busy(executor);
        }
        for (int i = 0; i < 8 * WriteKafkaConfiguration.ANSWER_QUEUE_PER_THREAD; i++) {
            executor.execute(() -> { });
        }

        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    private void busy(ExecutorService threads) {
        threads.execute(() -> {
            try {
                readsBack.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A read of a database gone silent: it ends only when the test does. */
    private Optional<Object> blockedRead() throws InterruptedException {
        readsBack.await();
        return Optional.empty();
    }

    private void assertAppliedUnread(ResponseEntity<Object> answer) {
        assertThat(answer.getStatusCode().value()).isEqualTo(202);
        assertThat(answer.getHeaders().getETag()).isEqualTo("\"3\"");
        assertThat(answer.getBody()).isInstanceOfSatisfying(Map.class,
                body -> assertThat(body).containsEntry("status", "APPLIED").containsEntry("version", 3L));
        verifyNoInteractions(reads);
    }

    private WriteOutcome outcome(WriteOutcome.Status status, Long version) {
        return new WriteOutcome(envelope.eventId(), "agent", agent, "agent.delete", status, version, null,
                status == WriteOutcome.Status.REJECTED ? "unknown agent" : null, Instant.now());
    }

    private CompletableFuture<ResponseEntity<Object>> write(Duration wait, Optional<WriteOutcome> outcome) {
        return write(envelope, wait, outcome);
    }

    /** {@code written} (an agent delete or history append) as the gateway published it, and its outcome. */
    private CompletableFuture<ResponseEntity<Object>> write(WriteEnvelope written, Duration wait,
                                                           Optional<WriteOutcome> outcome) {
        WriteGateway gateway = mock(WriteGateway.class);
        when(gateway.submit(any(), anyString())).thenReturn(new Submission(written, wait,
                CompletableFuture.completedFuture(outcome)));
        WriteAnswers answers = new WriteAnswers(gateway, reads, mock(WriteOutcomeRepository.class), executor,
                deadline, new SimpleMeterRegistry());
        boolean delete = written.type() == CommandType.AGENT_DELETE;
        return answers.write(new WriteRequest(written.type(), agent, null, JsonNodeFactory.instance.objectNode(), null,
                wait, delete ? "DELETE" : "POST", "/api/v1/agents/" + agent + (delete ? "" : "/history")), "u");
    }
}
