package dev.agentfactory.gateway.writes;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * Waits for the outcome of a published write without holding a thread: a future per pending eventId,
 * completed by the results topic ({@link #complete}) or, should that record be missed (this instance's
 * consumer was still joining, a rebalance), by polling {@code processed_events}. Completes empty when
 * the wait runs out.
 */
@Component
class OutcomeWaiter {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWaiter.class);
    static final long MAX_POLL_MILLIS = 2_000;

    private final Map<UUID, CompletableFuture<Optional<WriteOutcome>>> pending = new ConcurrentHashMap<>();
    private final WriteOutcomeRepository outcomes;
    private final ScheduledExecutorService scheduler;
    private final long firstPollMillis;
    private final Counter byTopic;
    private final Counter byPoll;
    private final Counter polls;

    OutcomeWaiter(WriteOutcomeRepository outcomes, @Qualifier("outcomePollScheduler") ScheduledExecutorService scheduler,
                  GatewayProperties props, MeterRegistry meters) {
        Gauge.builder("factory.gateway.write.pending", pending, Map::size)
                .description("writes whose callers are waiting for the outcome").register(meters);
        this.byTopic = Counter.builder("factory.gateway.write.outcomes").tag("source", "topic")
                .description("waits completed by the results topic").register(meters);
        this.byPoll = Counter.builder("factory.gateway.write.outcomes").tag("source", "poll")
                .description("waits completed by the processed_events fallback").register(meters);
        this.polls = Counter.builder("factory.gateway.write.outcome.polls")
                .description("queries of processed_events made by the fallback").register(meters);
        this.outcomes = outcomes;
        this.scheduler = scheduler;
        this.firstPollMillis = Math.max(10, props.writes().outcomePoll().toMillis());
    }

    /** Registers interest before the write is published, so an outcome that arrives first is not lost. */
    CompletableFuture<Optional<WriteOutcome>> register(UUID eventId, Duration wait) {
        CompletableFuture<Optional<WriteOutcome>> f = pending.computeIfAbsent(eventId, id -> new CompletableFuture<>());
        // The deadline runs on CompletableFuture's own timer, not on the poll threads: a fallback poll blocked
        // on a database that does not answer must not hold a wait past its end (nor the 2,000 behind it).
        f.completeOnTimeout(Optional.empty(), wait.toMillis(), TimeUnit.MILLISECONDS);
        schedulePoll(eventId, f, firstPollMillis);
        f.whenComplete((o, e) -> pending.remove(eventId, f));
        return f;
    }

    /** An outcome from the results topic; ignored unless this instance waits for it. */
    void complete(WriteOutcome outcome) {
        CompletableFuture<Optional<WriteOutcome>> f = pending.get(outcome.eventId());
        if (f != null && f.complete(Optional.of(outcome))) {
            byTopic.increment();
        }
    }

    void abandon(UUID eventId, Throwable cause) {
        CompletableFuture<Optional<WriteOutcome>> f = pending.get(eventId);
        if (f != null) {
            f.completeExceptionally(cause);
        }
    }

    /**
     * The fallback poll backs off (doubling up to {@link #MAX_POLL_MILLIS}): the results topic answers
     * almost every wait, and a thousand waiting requests must not become thousands of queries a second.
     */
    private void schedulePoll(UUID eventId, CompletableFuture<Optional<WriteOutcome>> f, long delayMillis) {
        if (f.isDone()) {
            return;
        }
        scheduler.schedule(() -> {
            if (f.isDone()) {
                return;
            }
            try {
                polls.increment();
                outcomes.find(eventId).ifPresent(o -> {
                    if (f.complete(Optional.of(o))) {
                        byPoll.increment();
                    }
                });
            } catch (RuntimeException e) {
                log.warn("fallback poll of the outcome of {} failed: {}", eventId, e.getMessage());
            }
            schedulePoll(eventId, f, Math.min(delayMillis * 2, MAX_POLL_MILLIS));
        }, delayMillis, TimeUnit.MILLISECONDS);
    }
}
