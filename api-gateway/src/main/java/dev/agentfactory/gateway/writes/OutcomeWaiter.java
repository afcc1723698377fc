package dev.agentfactory.gateway.writes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * Waits for the outcome of a published write without holding a thread: a future per pending eventId (each
 * caller waits on a copy of it with its own deadline), completed by the results topic ({@link #complete}) or,
 * should that record be missed (this instance's consumer was still joining, a rebalance, the worker's results
 * not arriving), by polling {@code processed_events}. A caller's wait completes empty when its time runs out, or
 * at once when the application shuts down.
 */
@Component
class OutcomeWaiter implements ApplicationListener<ContextClosedEvent>, ApplicationContextAware {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWaiter.class);
    /**
     * Longest interval between two lookups of one wait. The sweep's queries, not the waits, set the fallback's
     * cost (one query per sweep with anything due, whatever the number of waits), so a long interval saves little
     * and makes an outcome committed just after a lookup arrive that much later (2 s gave a p99 near 1 s at 400/s).
     */
    static final long MAX_POLL_MILLIS = 500;
    /** Most eventIds looked up by one fallback query: a bounded statement however many writes wait. */
    static final int MAX_IDS_PER_QUERY = 500;

    /**
     * An eventId's outcome, awaited by one caller or more (a client retrying under the same Idempotency-Key while
     * its first request still waits), and when the fallback looks for it next (backing off, see {@link #poll}).
     * {@code outcome} completes only with the outcome (or empty at shutdown); each caller's own deadline or failure
     * ends its copy alone.
     */
    private static final class Waiting {
        final CompletableFuture<Optional<WriteOutcome>> outcome = new CompletableFuture<>();
        /** Callers still waiting; changed only inside the map's compute functions, which serialize per key. */
        int callers;
        volatile long nextPollNanos;
        volatile long backoffMillis;

        Waiting(long firstPollMillis) {
            backoffMillis = firstPollMillis;
            nextPollNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(firstPollMillis);
        }
    }

    private final Map<UUID, Waiting> pending = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private volatile ApplicationContext context;
    private final WriteOutcomeRepository outcomes;
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
        this.firstPollMillis = Math.max(10, props.writes().outcomePoll().toMillis());
        // One sweep at a time (a fixed delay never overlaps itself). A sweep with nothing due queries nothing,
        // so sweeping at a quarter of the first poll's delay costs no queries and keeps lookups at most that late.
        long sweep = Math.max(5, firstPollMillis / 4);
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                // a periodic task that throws is never run again: that would end the fallback for good
                log.error("fallback sweep failed; retrying at the next one", e);
            }
        }, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /**
     * Registers interest before the write is published, so an outcome that arrives first is not lost. Each call
     * gets its own future with its own deadline: a retry under the same eventId neither ends with the first
     * request's shorter wait nor fails with the other's publish.
     */
    CompletableFuture<Optional<WriteOutcome>> register(UUID eventId, Duration wait) {
        Waiting w = pending.compute(eventId, (id, found) -> {
            Waiting joined = found == null ? new Waiting(firstPollMillis) : found;
            joined.callers++;
            return joined;
        });
        CompletableFuture<Optional<WriteOutcome>> mine = w.outcome.copy();
        // The deadline runs on CompletableFuture's own timer, not on the poll thread: a fallback poll blocked
        // on a database that does not answer must not hold a wait past its end (nor the 2,000 behind it).
        mine.completeOnTimeout(Optional.empty(), wait.toMillis(), TimeUnit.MILLISECONDS);
        mine.whenComplete((o, e) -> release(eventId, w));
        if (closing) {
            // after (or while) shutdown ended the waits: a wait now would outlast the drain (see onApplicationEvent)
            mine.complete(Optional.empty());
        }
        return mine;
    }

    /**
     * Shutdown ends every wait now: each is answered 202 with its Location. ContextClosedEvent comes before the
     * lifecycle beans stop, and the results listener stops before the web server's graceful drain, so a wait of up to
     * max-wait (30 s) would outlast the drain's budget (6 s on Cloud Run and in compose) and be cut off unanswered.
     * Only this application's closing counts: a child context's (a management server on its own port) reaches
     * the parent's listeners too, and must not end the waits of an application that goes on serving.
     */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (context != null && event.getApplicationContext() != context) {
            return;
        }
        closing = true;
        pending.values().forEach(w -> w.outcome.complete(Optional.empty()));
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.context = applicationContext;
    }

    /** One caller less; the last one's leaving forgets the eventId (nothing is held past the waits). */
    private void release(UUID eventId, Waiting w) {
        pending.computeIfPresent(eventId, (id, current) -> current != w || --current.callers > 0 ? current : null);
    }

    /** An outcome from the results topic; ignored unless this instance waits for it. */
    void complete(WriteOutcome outcome) {
        Waiting w = pending.get(outcome.eventId());
        if (w != null && w.outcome.complete(Optional.of(outcome))) {
            byTopic.increment();
        }
    }

    /** Ends one caller's wait (its write was not published); others waiting for the same eventId wait on. */
    void abandon(CompletableFuture<Optional<WriteOutcome>> wait, Throwable cause) {
        wait.completeExceptionally(cause);
    }

    /**
     * The fallback: every wait whose next lookup is due, looked up together ({@link #MAX_IDS_PER_QUERY} per
     * query). A query per wait made the fallback's cost, and its lateness, grow with the number of waiting
     * writes (2,000 waits, thousands of queries a second queued on the poll threads); this way it is a few
     * queries a second. Each wait still backs off (doubling up to {@link #MAX_POLL_MILLIS}): the results
     * topic answers almost every wait, and a long wait need not be in every sweep's query.
     */
    void poll() {
        long now = System.nanoTime();
        List<UUID> due = new ArrayList<>();
        pending.forEach((id, w) -> {
            if (!w.outcome.isDone() && w.nextPollNanos - now <= 0) {
                due.add(id);
            }
        });
        for (int from = 0; from < due.size(); from += MAX_IDS_PER_QUERY) {
            List<UUID> ids = due.subList(from, Math.min(due.size(), from + MAX_IDS_PER_QUERY));
            Map<UUID, WriteOutcome> found = Map.of();
            boolean failed = false;
            try {
                polls.increment();
                found = outcomes.findAll(ids);
            } catch (RuntimeException e) {
                // Its retries took seconds already (TransientRetry, Hikari's connection-timeout): the rest of
                // this sweep's waits stay due and go to the next sweep rather than hold this one as long again.
                log.warn("fallback poll of the outcomes of {} waiting writes failed: {}", ids.size(), e.getMessage());
                failed = true;
            }
            long after = System.nanoTime();
            for (UUID id : ids) {
                Waiting w = pending.get(id);
                WriteOutcome o = found.get(id);
                if (w == null) {
                    continue;
                }
                if (o != null) {
                    if (w.outcome.complete(Optional.of(o))) {
                        byPoll.increment();
                    }
                } else {
                    w.backoffMillis = Math.min(w.backoffMillis * 2, MAX_POLL_MILLIS);
                    w.nextPollNanos = after + TimeUnit.MILLISECONDS.toNanos(w.backoffMillis);
                }
            }
            if (failed) {
                return;
            }
        }
    }
}
