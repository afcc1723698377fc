package dev.agentfactory.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.agentfactory.stack.junit.Poll;

/** A memoized check runs once per ttl, however many callers ask meanwhile, and keeps its details for those who may see them. */
class MemoizedHealthIndicatorTest {

    private static final Set<Thread.State> PARKED = EnumSet.of(Thread.State.BLOCKED, Thread.State.WAITING,
            Thread.State.TIMED_WAITING);

    final AtomicLong now = new AtomicLong();
    final AtomicInteger runs = new AtomicInteger();

    @Test
    void aResultAnswersForTheTtlAfterItWasMeasuredThenTheCheckRunsAgain() {
        HealthIndicator memo = new MemoizedHealthIndicator(() -> {
            runs.incrementAndGet();
            now.addAndGet(Duration.ofMillis(300).toNanos()); // a slow check: the ttl counts from its end
            return Health.up().withDetail("database", "PostgreSQL").build();
        }, Duration.ofSeconds(1), now::get);

        assertThat(memo.health(true).getDetails()).containsKey("database");
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(memo.health(false).getDetails()).isEmpty();
        assertThat(runs).hasValue(1);
        now.addAndGet(Duration.ofMillis(1).toNanos());
        memo.health();
        assertThat(runs).hasValue(2);
    }

    @Test
    void callersOfAnExpiredResultShareOneRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HealthIndicator memo = new MemoizedHealthIndicator(() -> {
            runs.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Health.down().build();
        }, Duration.ofSeconds(1), now::get);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r);
            threads.add(t);
            return t;
        });
        try {
            List<Future<Health>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(callers.submit(() -> memo.health()));
            }
            // Released only once all eight are parked (nothing returns before the release): in the one run, or
            // waiting for it. A sleep instead could release the run before the last callers arrived.
            Poll.until(Duration.ofSeconds(10), "all eight callers parked", () -> threads.size() == 8
                    && threads.stream().allMatch(t -> PARKED.contains(t.getState())));
            release.countDown();
            for (Future<Health> answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS).getStatus().getCode()).isEqualTo("DOWN");
            }
            assertThat(runs).hasValue(1);
        } finally {
            callers.shutdownNow();
        }
    }
}
