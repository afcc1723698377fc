package dev.agentfactory.gateway.health;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A health check whose result is reused for {@code ttl} after it was measured. Callers that find it expired wait for
 * the one of them that runs the check and take its result, so a burst of requests costs one check however many
 * threads it occupies. The result is kept with its details; a caller not allowed to see them gets them stripped by
 * {@link HealthIndicator#health(boolean)}, as from any indicator.
 */
final class MemoizedHealthIndicator implements HealthIndicator {

    private final HealthIndicator delegate;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private Health last;
    private long measuredAt;

    MemoizedHealthIndicator(HealthIndicator delegate, Duration ttl, LongSupplier nanoClock) {
        this.delegate = delegate;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public synchronized Health health() {
        if (last == null || nanoClock.getAsLong() - measuredAt >= ttlNanos) {
            last = delegate.health();
            // from the end of the check: a slow check (a dependency timing out) is not run again at once
            measuredAt = nanoClock.getAsLong();
        }
        return last;
    }
}
