package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

class OutcomeWaiterTest {

    /** The database does not answer: each fallback poll blocks (Hikari's connection-timeout is 5s). */
    private final CountDownLatch databaseBack = new CountDownLatch(1);
    private final WriteOutcomeRepository unanswering = new WriteOutcomeRepository() {
        @Override
        public Optional<WriteOutcome> find(UUID eventId) {
            try {
                databaseBack.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }

        @Override
        public boolean record(WriteOutcome outcome) {
            throw new UnsupportedOperationException();
        }
    };
    /** As WriteKafkaConfiguration#outcomePollScheduler builds it. */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        databaseBack.countDown();
        scheduler.shutdownNow();
    }

    @Test
    void aWaitEndsOnTimeEvenWhileFallbackPollsAreStuckOnTheDatabase() throws Exception {
        OutcomeWaiter waiter = new OutcomeWaiter(unanswering, scheduler, props(Duration.ofMillis(10)),
                new SimpleMeterRegistry());
        Duration wait = Duration.ofMillis(200);

        long start = System.nanoTime();
        CompletableFuture<Optional<WriteOutcome>> first = waiter.register(UUID.randomUUID(), wait);
        CompletableFuture<Optional<WriteOutcome>> second = waiter.register(UUID.randomUUID(), wait);

        assertThat(first.get(3, TimeUnit.SECONDS)).isEmpty();
        assertThat(second.get(3, TimeUnit.SECONDS)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    /** The database answers at once and holds no outcome: only the results topic completes a wait. */
    private final WriteOutcomeRepository empty = new WriteOutcomeRepository() {
        @Override
        public Optional<WriteOutcome> find(UUID eventId) {
            return Optional.empty();
        }

        @Override
        public boolean record(WriteOutcome outcome) {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    void aRetryUnderTheSameIdempotencyKeyWaitsItsOwnTimeAndGetsTheOutcome() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        OutcomeWaiter waiter = new OutcomeWaiter(empty, scheduler, props(Duration.ofMillis(10)), meters);
        UUID eventId = UUID.randomUUID();

        // The client gave up on its first request (wait=100ms left) and retried with wait=30s: same eventId.
        CompletableFuture<Optional<WriteOutcome>> first = waiter.register(eventId, Duration.ofMillis(100));
        CompletableFuture<Optional<WriteOutcome>> retry = waiter.register(eventId, Duration.ofSeconds(30));

        assertThat(first.get(3, TimeUnit.SECONDS)).isEmpty();
        assertThat(retry).isNotDone();
        WriteOutcome applied = outcome(eventId);
        waiter.complete(applied);
        assertThat(retry.get(3, TimeUnit.SECONDS)).contains(applied);
        assertThat(meters.get("factory.gateway.write.pending").gauge().value()).isZero();
    }

    @Test
    void aRetryWhosePublishFailsEndsOnlyItsOwnWait() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        OutcomeWaiter waiter = new OutcomeWaiter(empty, scheduler, props(Duration.ofMillis(10)), meters);
        UUID eventId = UUID.randomUUID();
        CompletableFuture<Optional<WriteOutcome>> published = waiter.register(eventId, Duration.ofSeconds(30));
        CompletableFuture<Optional<WriteOutcome>> retry = waiter.register(eventId, Duration.ofSeconds(30));

        // The retry's publish failed (broker unavailable); the first request's write was accepted.
        waiter.abandon(retry, new IllegalStateException("broker unavailable"));

        assertThat(retry).isCompletedExceptionally();
        assertThat(published).isNotDone();
        assertThat(meters.get("factory.gateway.write.pending").gauge().value()).isOne();
        waiter.complete(outcome(eventId));
        assertThat(published.get(3, TimeUnit.SECONDS)).isPresent();
        assertThat(meters.get("factory.gateway.write.pending").gauge().value()).isZero();
    }

    /**
     * The results listener stops before the web server drains its requests, and the drain has 6 s: a wait of up
     * to 30 s would be cut off unanswered. Closing answers it at once (202 with its Location), and later ones too.
     */
    @Test
    void aThirtySecondWaitEndsAtOnceWhenTheApplicationClosesAndLaterWaitsDoNotWait() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        OutcomeWaiter waiter = new OutcomeWaiter(empty, scheduler, props(Duration.ofMillis(10)), meters);
        GenericApplicationContext app = new GenericApplicationContext();
        app.registerBean(OutcomeWaiter.class, () -> waiter);
        app.refresh();
        CompletableFuture<Optional<WriteOutcome>> waiting = waiter.register(UUID.randomUUID(), Duration.ofSeconds(30));

        long start = System.nanoTime();
        app.close();

        assertThat(waiting.get(1, TimeUnit.SECONDS)).isEmpty();
        assertThat(waiter.register(UUID.randomUUID(), Duration.ofSeconds(30))).isCompletedWithValue(Optional.empty());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(meters.get("factory.gateway.write.pending").gauge().value()).isZero();
    }

    /** A child context (a management server on its own port) closing reaches the parent's listeners too. */
    @Test
    void aChildContextClosingLeavesTheWaitsOfTheApplicationWaiting() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        OutcomeWaiter waiter = new OutcomeWaiter(empty, scheduler, props(Duration.ofMillis(10)), meters);
        GenericApplicationContext app = new GenericApplicationContext();
        app.registerBean(OutcomeWaiter.class, () -> waiter);
        app.refresh();
        try {
            CompletableFuture<Optional<WriteOutcome>> waiting = waiter.register(UUID.randomUUID(),
                    Duration.ofSeconds(30));
            GenericApplicationContext child = new GenericApplicationContext();
            child.setParent(app);
            child.refresh();
            child.close();

            assertThat(waiting).isNotDone();
            assertThat(waiter.register(UUID.randomUUID(), Duration.ofSeconds(30))).isNotDone();
        } finally {
            app.close();
        }
    }

    @Test
    void aSweepWhoseQueryFailsDoesNotQueryAgainForTheRestOfItsWaits() throws Exception {
        AtomicInteger queries = new AtomicInteger();
        WriteOutcomeRepository down = new WriteOutcomeRepository() {
            @Override
            public Optional<WriteOutcome> find(UUID eventId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Map<UUID, WriteOutcome> findAll(Collection<UUID> eventIds) {
                queries.incrementAndGet();
                // as TransientRetry gives up on a database that is down, after seconds of attempts
                throw new CannotGetJdbcConnectionException("connection refused");
            }

            @Override
            public boolean record(WriteOutcome outcome) {
                throw new UnsupportedOperationException();
            }
        };
        OutcomeWaiter waiter = new OutcomeWaiter(down, scheduler, props(Duration.ofMillis(10)),
                new SimpleMeterRegistry());
        scheduler.shutdownNow(); // this test runs the sweep itself
        for (int i = 0; i < 3 * OutcomeWaiter.MAX_IDS_PER_QUERY; i++) {
            waiter.register(UUID.randomUUID(), Duration.ofSeconds(30));
        }
        Thread.sleep(20); // the first lookup of every wait is due 10 ms after its registration

        waiter.poll();

        assertThat(queries).hasValue(1);
    }

    private static WriteOutcome outcome(UUID eventId) {
        return new WriteOutcome(eventId, "agent", UUID.randomUUID(), "agent.update", WriteOutcome.Status.APPLIED, 2L,
                null, null, Instant.now());
    }

    static GatewayProperties props(Duration outcomePoll) {
        return new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("agents", "prds", "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(outcomePoll, Duration.ofHours(24), 8, Duration.ofSeconds(10)));
    }
}
