package dev.agentfactory.store;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.springframework.dao.DataIntegrityViolationException;

/**
 * Retries a whole unit of work (a transaction, never a statement inside one) when PostgreSQL failed it
 * for a reason that a retry can fix: a lost connection (SQLSTATE class 08, 57P01 admin shutdown), a
 * serialization failure (40001) or a deadlock (40P01). Backoff is exponential with full jitter, capped,
 * and the attempts are bounded, in number and, when {@code maxElapsed} is given, in time: no retry starts later than
 * that after the first attempt began. A connection gone silent fails an attempt only after the driver's socket
 * timeout, so attempts alone bound a unit of work at their number times that timeout, which for an interactive
 * caller can be longer than its client waits. Constraint violations and every other error surface at once. A
 * connection lost during {@code COMMIT} may have lost only the acknowledgement, so a unit of work must be safe to run
 * again after it committed (store/README.md says how each write is).
 */
public final class TransientRetry {

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxElapsed;
    private final LongSupplier nanoClock;

    public TransientRetry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this(maxAttempts, initialBackoff, maxBackoff, null);
    }

    /** {@code maxElapsed}: the latest a retry may start after the first attempt began; null for no such bound. */
    public TransientRetry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {
        this(maxAttempts, initialBackoff, maxBackoff, maxElapsed, System::nanoTime);
    }

    TransientRetry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed,
                   LongSupplier nanoClock) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (maxElapsed != null && maxElapsed.isNegative()) {
            throw new IllegalArgumentException("maxElapsed must not be negative, was " + maxElapsed);
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxElapsed = maxElapsed;
        this.nanoClock = nanoClock;
    }

    public static TransientRetry defaults() {
        return new TransientRetry(4, Duration.ofMillis(50), Duration.ofSeconds(1));
    }

    public <T> T run(Supplier<T> work) {
        long start = nanoClock.getAsLong();
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (attempt >= maxAttempts || !isTransient(e)) {
                    throw e;
                }
                long backoff = backoffMillis(attempt);
                if (maxElapsed != null
                        && nanoClock.getAsLong() - start + TimeUnit.MILLISECONDS.toNanos(backoff) > maxElapsed.toNanos()) {
                    throw e;
                }
                sleep(backoff);
            }
        }
    }

    /** Whether the failure is one a retry of the whole transaction can fix. */
    public static boolean isTransient(Throwable failure) {
        if (failure instanceof DataIntegrityViolationException) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.equals("40001") || state.equals("40P01") || state.startsWith("08")
                        || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
            }
        }
        return false;
    }

    private long backoffMillis(int attempt) {
        long cap = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(attempt - 1, 20));
        return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off before a retry", e);
        }
    }
}
