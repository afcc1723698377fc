package dev.agentfactory.relay.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.agentfactory.relay.CdcProperties;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.ChangeEventFormat;

/**
 * Runs the Debezium engine while this instance holds the leader lock: waits for the lock, clears a stale
 * walsender, streams, and restarts the engine after a failure (from the last acknowledged transaction), waiting longer
 * after each failure with no change delivered since the last ({@link RestartBackoff}).
 * Losing the lock's session stops the engine at once, since another relay may take over.
 */
public class RelayRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RelayRunner.class);

    /** Whether this instance is the active relay; read by the health indicator. */
    public enum Role { STARTING, WAITING, STREAMING, RESTARTING, STOPPED }

    private final CdcProperties props;
    private final DebeziumConfig.Primary primary;
    private final ReplicationSlot slot;
    private final Supplier<TransactionalBatchHandler> handlers;
    private final AtomicReference<Role> role = new AtomicReference<>(Role.STOPPED);
    /** Change streams that stopped on an error (each then restarted): a stream that cannot start shows only here. */
    private final AtomicLong streamFailures = new AtomicLong();
    private volatile boolean running;
    private Thread leader;

    public RelayRunner(CdcProperties props, DebeziumConfig.Primary primary, ReplicationSlot slot,
                       Supplier<TransactionalBatchHandler> handlers) {
        this.props = props;
        this.primary = primary;
        this.slot = slot;
        this.handlers = handlers;
    }

    public Role role() {
        return role.get();
    }

    /** How many times the change stream stopped on an error (and was restarted) since this instance started. */
    public long streamFailures() {
        return streamFailures.get();
    }

    @Override
    public void start() {
        running = true;
        role.set(Role.STARTING);
        leader = new Thread(this::lead, "cdc-leader");
        leader.start();
    }

    /**
     * Stops the engine and gives up the lock, waiting at most {@code shutdown-timeout} in all: the platform kills the
     * process soon after asking it to stop (Cloud Run: 10 s after SIGTERM), and a stop still running then ends in a
     * SIGKILL anyway. What was not acknowledged by then is delivered again at the next start.
     */
    @Override
    public void stop() {
        running = false;
        if (leader != null) {
            leader.interrupt();
            try {
                leader.join(props.shutdownTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (leader.isAlive()) {
                log.warn("the change stream did not stop within {}; what it had not acknowledged is delivered again"
                        + " at the next start", props.shutdownTimeout());
            }
        }
        role.set(Role.STOPPED);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void lead() {
        RestartBackoff backoff = new RestartBackoff(props.restartBackoff(), props.restartBackoffMax());
        try (LeaderLock lock = new LeaderLock(primary, props.lockKey(), props.lockPeerTimeout())) {
            while (running) {
                try {
                    if (!lock.tryAcquire()) {
                        role.set(Role.WAITING); // also after a restart that lost the lock to another instance
                        Thread.sleep(props.lockPollInterval().toMillis());
                        continue;
                    }
                    log.info("leader lock {} acquired; starting the change stream from slot {}", props.lockKey(),
                            props.slotName());
                    slot.clearStaleWalsender(props.staleWalsenderTimeout(), lock::stillHeld);
                    TransactionalBatchHandler handler = handlers.get();
                    long started = System.nanoTime();
                    boolean failed = streamWhileLeader(lock, handler);
                    backoff.streamEnded(handler.deliveredChanges() > 0,
                            Duration.ofNanos(System.nanoTime() - started));
                    if (failed) {
                        streamFailures.incrementAndGet();
                    }
                    if (failed && running) {
                        role.set(Role.RESTARTING);
                        Duration pause = backoff.afterFailure();
                        log.info("restarting the change stream in {}", pause);
                        pauseAsLeader(lock, pause);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    log.error("relay leadership cycle failed; retrying", e);
                    streamFailures.incrementAndGet();
                    role.set(Role.RESTARTING);
                    lock.release();
                    sleepQuietly(props.restartBackoff());
                }
            }
        } finally {
            role.set(Role.STOPPED);
        }
    }

    /** Streams until stop, engine failure or lost lock; returns true when the engine failed. */
    private boolean streamWhileLeader(LeaderLock lock, TransactionalBatchHandler handler) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        DebeziumEngine<?> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(DebeziumConfig.of(props, primary))
                .using((success, message, error) -> {
                    if (!success) {
                        failure.set(error != null ? error : new IllegalStateException(message));
                    }
                    done.countDown();
                })
                .notifying(handler)
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cdc-engine"));
        executor.execute(engine);
        role.set(Role.STREAMING);
        try {
            while (running && !done.await(props.lockPollInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                if (!lock.stillHeld()) {
                    log.error("leader lock session lost; stopping the engine");
                    failure.set(new IllegalStateException("leader lock lost"));
                    break;
                }
            }
        } catch (InterruptedException e) {
            // stop requested: fall through to a graceful close
        } finally {
            closeEngine(engine, executor, done);
        }
        if (failure.get() != null && running) {
            log.error("change stream stopped on an error; restarting from the last acknowledged transaction",
                    failure.get());
            return true;
        }
        return false;
    }

    private void closeEngine(DebeziumEngine<?> engine, ExecutorService executor, CountDownLatch done) {
        try {
            // An engine that stopped on its own (it failed) refuses a close with an exception: nothing to close.
            if (done.getCount() > 0) {
                engine.close(); // interrupts a delivery in flight at once, then flushes the acknowledged offsets
            }
            if (!done.await(props.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("engine did not stop within {}", props.shutdownTimeout());
            }
        } catch (Exception e) {
            if (done.getCount() > 0) {
                log.warn("engine close failed", e);
            } // else it stopped between the check and the close
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * Waits {@code pause} still leading: in slices of the lock-poll-interval, using the lock's session between them, as
     * the primary ends a session idle for lock-peer-timeout (idle_session_timeout) and the lock with it. A session found
     * gone is not used again; the rest of the pause is waited all the same, and the next cycle tries the lock.
     */
    private void pauseAsLeader(LeaderLock lock, Duration pause) throws InterruptedException {
        long end = System.nanoTime() + pause.toNanos();
        boolean held = true;
        for (long left = pause.toNanos(); left > 0; left = end - System.nanoTime()) {
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, props.lockPollInterval().toMillis()));
            if (held && !lock.stillHeld()) {
                log.warn("leader lock session lost while waiting to restart the change stream");
                held = false;
            }
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
