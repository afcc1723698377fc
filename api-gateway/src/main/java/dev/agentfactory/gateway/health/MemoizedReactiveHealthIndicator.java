package dev.agentfactory.gateway.health;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * {@link MemoizedHealthIndicator} for a reactive check (Redis's, with Lettuce): subscribers while the check runs
 * share it, and its result answers for {@code ttl}. A check that fails outright is not kept.
 */
final class MemoizedReactiveHealthIndicator implements ReactiveHealthIndicator {

    private final Mono<Health> cached;

    MemoizedReactiveHealthIndicator(ReactiveHealthIndicator delegate, Duration ttl) {
        this.cached = Mono.defer(delegate::health).cache(health -> ttl, failure -> Duration.ZERO, () -> Duration.ZERO);
    }

    @Override
    public Mono<Health> health() {
        return cached;
    }
}
