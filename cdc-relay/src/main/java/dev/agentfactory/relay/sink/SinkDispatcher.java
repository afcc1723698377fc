package dev.agentfactory.relay.sink;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.change.RowChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Delivers committed changes to every sink in parallel, each call bounded by the sink timeout and retried
 * with backoff. It returns only when all sinks succeeded; when one still fails after its attempts it throws,
 * which stops the engine before the offsets move: a change is retried or the relay stops, never skipped. A sink's
 * {@link UndeliverableException} is not retried: it stops the engine at once, logged as such. An interrupted delivery
 * (the engine stopping) cancels its sink calls, interrupting each.
 */
public class SinkDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SinkDispatcher.class);

    private final List<Sink> sinks;
    private final ExecutorService executor;
    private final CdcProperties props;
    private final MeterRegistry meters;
    private final Map<String, Timer> lagTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> eventCounters = new ConcurrentHashMap<>();

    public SinkDispatcher(List<Sink> sinks, ExecutorService executor, CdcProperties props, MeterRegistry meters) {
        this.sinks = List.copyOf(sinks);
        this.executor = executor;
        this.props = props;
        this.meters = meters;
        // registered up front so an alert on errors sees a zero series, not a missing one
        this.sinks.forEach(sink -> errorCounter(sink.name()));
    }

    private Counter errorCounter(String sink) {
        return Counter.builder("factory.cdc.errors").tag("sink", sink).register(meters);
    }

    /**
     * Delivers the changes to every sink. An empty list (a heartbeat between transactions) is delivered too: it
     * lets a sink check its destination while the factory idles (the Redis sink's server check).
     */
    public void deliver(List<RowChange> changes) throws InterruptedException {
        List<Future<?>> running = new ArrayList<>();
        for (Sink sink : sinks) {
            running.add(executor.submit(() -> {
                applyWithRetries(sink, changes);
                return null;
            }));
        }
        try {
            for (Future<?> f : running) {
                f.get();
            }
        } catch (ExecutionException e) {
            running.forEach(f -> f.cancel(true));
            throw new SinkFailedException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            // The engine's close interrupts the delivery in flight (Debezium 3.6 cancels its polling thread, which
            // runs the delivery) and the stop goes on to the offset flush: the sink calls end with it, rather than
            // running and retrying while the context closes their clients. Delivered again at the next start.
            running.forEach(f -> f.cancel(true));
            throw e;
        }
    }

    private void applyWithRetries(Sink sink, List<RowChange> changes) throws InterruptedException {
        Duration backoff = props.retryBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                callWithTimeout(sink, changes);
                record(sink.name(), changes);
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (UndeliverableException e) {
                errorCounter(sink.name()).increment();
                log.error("sink {} cannot deliver this transaction, stopping without retries: {}", sink.name(),
                        e.getMessage());
                throw new SinkFailedException("sink " + sink.name() + " cannot deliver: " + e.getMessage(), e);
            } catch (Exception e) {
                errorCounter(sink.name()).increment();
                if (attempt >= props.sinkAttempts()) {
                    throw new SinkFailedException("sink " + sink.name() + " failed " + attempt + " times: " + e, e);
                }
                log.warn("sink {} failed (attempt {}/{}), retrying in {}: {}", sink.name(), attempt,
                        props.sinkAttempts(), backoff, e.toString());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private void callWithTimeout(Sink sink, List<RowChange> changes) throws Exception {
        Future<?> call = executor.submit(() -> {
            sink.apply(changes);
            return null;
        });
        try {
            call.get(props.sinkTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            // A transaction is delivered whole and re-delivered the same after a restart: one too large for the
            // timeout (a bulk backfill) fails the same way every time, so the message names its size and the remedy.
            throw new TimeoutException("sink " + sink.name() + " took longer than " + props.sinkTimeout()
                    + " for a delivery of " + changes.size() + " change(s); if that transaction is too large to apply"
                    + " within it, raise factory.cdc.sink-timeout (FACTORY_CDC_SINKTIMEOUT) and db-socket-timeout"
                    + " above it");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        }
    }

    private void record(String sink, List<RowChange> changes) {
        Instant now = Instant.now();
        Timer lag = lagTimers.computeIfAbsent(sink, s -> Timer.builder("factory.cdc.sink.lag").tag("sink", s)
                .description("commit on the primary to durable in the sink").publishPercentileHistogram()
                .register(meters));
        // one sample per transaction: commit -> durable in the sink
        Instant lastCommit = null;
        for (RowChange c : changes) {
            if (!c.commitTime().equals(lastCommit)) {
                Duration d = Duration.between(c.commitTime(), now);
                lag.record(d.isNegative() ? Duration.ZERO : d);
                lastCommit = c.commitTime();
            }
        }
        eventCounters.computeIfAbsent(sink, s -> Counter.builder("factory.cdc.events").tag("sink", s)
                .register(meters)).increment(changes.size());
    }

    @Override
    public void close() throws Exception {
        for (Sink sink : sinks) {
            if (sink instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /** A sink still failed after all attempts; the engine must stop without committing offsets. */
    public static final class SinkFailedException extends RuntimeException {
        SinkFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
