package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

    private static GatewayProperties props(Duration outcomePoll) {
        return new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("agents", "prds", "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(outcomePoll, Duration.ofHours(24), 8, Duration.ofSeconds(10)));
    }
}
