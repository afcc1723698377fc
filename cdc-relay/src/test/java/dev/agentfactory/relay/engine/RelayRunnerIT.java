package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.agentfactory.relay.CapturedLogs;
import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.TestCdcProperties;
import dev.agentfactory.relay.change.ChangeParser;
import dev.agentfactory.relay.sink.SinkDispatcher;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The leader between its engine's runs, on the local stack's primary: its lock session is ended by the primary after
 * lock-peer-timeout without a query (idle_session_timeout), so the leader must use it while it waits. The engine here
 * fails at every start (a slot name Debezium refuses), which is all these tests need of it. The leader uses the session
 * every lock-poll-interval (1 s), so it keeps the lock through a pause of the test's JVM (a collection, a starved CPU)
 * shorter than the peer timeout less that interval: the peer timeout is 10 s here, where at 3 s a 2 s pause on a
 * loaded CI machine lost it. The waits that must outlast the peer timeout, for these tests to fail without the fix,
 * are derived from it.
 */
@ExtendWith(LocalStackExtension.class)
class RelayRunnerIT {

    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(10);
    /** A pid no backend has (Linux's pid_max is at most 2^22): the primary only warns when asked to end it. */
    private static final int NOT_A_BACKEND = Integer.MAX_VALUE;

    private final ExecutorService sinkExecutor = Executors.newCachedThreadPool();
    private final long key = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
    private RelayRunner runner;

    private final List<Runnable> detach = new ArrayList<>();

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.stop();
        }
        sinkExecutor.shutdownNow();
        detach.forEach(Runnable::run);
    }

    /**
     * The engine failed and the leader waits restart-backoff (the peer timeout and 2 s) before starting it again: the
     * lock stays its own. The lock session used to sit idle for the whole pause, and the primary ended it (and the lock)
     * after the peer timeout.
     */
    @Test
    void aLeaderWaitingToRestartItsEngineKeepsItsLock(StackEndpoints endpoints) throws Exception {
        Duration pause = PEER_TIMEOUT.plusSeconds(2);
        runner = runner(endpoints, Map.of("restart-backoff", pause.toMillis() + "ms"), slot(endpoints));
        runner.start();
        Poll.until(Duration.ofSeconds(60), "the engine failed once", () -> runner.streamFailures() >= 1);

        assertNeverTakenBy(endpoints, pause.plusSeconds(1));
    }

    /**
     * The walsender of a previous relay takes the peer timeout and 7 s to leave the slot after it was terminated (its
     * peer gone, say): the new leader waits for it still holding the lock. The lock session used to sit idle through
     * the wait; the primary ended it after the peer timeout, and the engine stopped with "leader lock lost" as soon as
     * it started. The wait is logged once for the walsender, not at every check (five WARN lines a second).
     */
    @Test
    void aLeaderWaitingForAStaleWalsenderToExitKeepsItsLock(StackEndpoints endpoints) throws Exception {
        CountDownLatch leading = new CountDownLatch(1);
        Duration walsenderLeaves = PEER_TIMEOUT.plusSeconds(7);
        long gone = System.nanoTime() + walsenderLeaves.toNanos();
        ReplicationSlot slowToFree = new ReplicationSlot(dataSource(endpoints), "it_relay_runner") {
            @Override
            Integer activePid(Connection c) {
                leading.countDown(); // asked by the leader only
                return System.nanoTime() < gone ? NOT_A_BACKEND : null;
            }
        };
        ListAppender<ILoggingEvent> logged = capture(ReplicationSlot.class);
        Duration staleWalsenderTimeout = walsenderLeaves.plusSeconds(13); // never reached: the walsender leaves first
        runner = runner(endpoints, Map.of("restart-backoff", "1m",
                "stale-walsender-timeout", staleWalsenderTimeout.toSeconds() + "s"), slowToFree);
        runner.start();
        assertThat(leading.await(30, TimeUnit.SECONDS)).as("the runner leading").isTrue();

        assertNeverTakenBy(endpoints, PEER_TIMEOUT.plusSeconds(4));
        assertThat(events(logged)).filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("walsender pid " + NOT_A_BACKEND);
    }

    /**
     * An engine that fails at every start with nothing delivered is started again after 0.5, 1, 2 and 4 s, where a
     * fixed restart-backoff started it every 0.5 s (16 runs in the 8 s from its first failure; and an undeliverable
     * audit event's delivery was published again each time). Each failure comes at least its predecessor's pause after
     * it, however long the engine takes to fail (the times are those of the failures' log lines, taken on the leader's
     * thread, not when this test saw them); no more than 6 runs fail in the 8 s from the first failure.
     */
    @Test
    void anEngineFailingAtEveryStartIsRestartedLessAndLessOften(StackEndpoints endpoints) throws Exception {
        Duration backoff = Duration.ofMillis(500);
        List<Duration> pauses = List.of(backoff, backoff.multipliedBy(2), backoff.multipliedBy(4)); // 3.5 s in all
        ListAppender<ILoggingEvent> logged = capture(RelayRunner.class);
        runner = runner(endpoints, Map.of("restart-backoff", backoff.toMillis() + "ms", "restart-backoff-max", "1m"),
                slot(endpoints));
        runner.start();
        Poll.until(Duration.ofSeconds(60), "four engine runs failed", () -> engineFailures(logged).size() >= 4);

        List<Long> failedAt = engineFailures(logged);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < failedAt.size(); i++) {
            gaps.add(failedAt.get(i) - failedAt.get(i - 1));
        }
        System.out.printf("engine runs failed %s ms apart%n", gaps);
        for (int i = 0; i < pauses.size(); i++) {
            assertThat(gaps.get(i)).as("ms from failure %d to the next, restart-backoff %s doubled", i + 1, backoff)
                    .isGreaterThanOrEqualTo(pauses.get(i).toMillis());
        }
        assertThat(Duration.ofMillis(failedAt.get(3) - failedAt.get(0))).as("from the first failure to the fourth")
                .isGreaterThanOrEqualTo(pauses.stream().reduce(Duration.ZERO, Duration::plus));

        // The pause is a minimum, so a slow machine only fails fewer runs in a window.
        long windowEnd = failedAt.get(0) + 8000;
        Thread.sleep(Math.max(0, windowEnd - System.currentTimeMillis()) + 200);
        assertThat(engineFailures(logged)).filteredOn(t -> t < windowEnd).as("failures in the 8 s from the first")
                .hasSizeLessThanOrEqualTo(6);
        // Each failure is logged once, with its cause; closing the engine it stopped is no second warning.
        assertThat(events(logged)).filteredOn(e -> e.getLevel() == Level.WARN).isEmpty();
    }

    /** When the engine's runs failed (the leader's log line for each, before it pauses), in epoch ms. */
    private static List<Long> engineFailures(ListAppender<ILoggingEvent> logged) {
        return events(logged).stream().filter(e -> e.getLevel() == Level.ERROR
                        && e.getFormattedMessage().startsWith("change stream stopped on an error"))
                .map(ILoggingEvent::getTimeStamp).toList();
    }

    /** A copy of what was logged so far: the leader's thread appends under the appender's lock. */
    private static List<ILoggingEvent> events(ListAppender<ILoggingEvent> logged) {
        synchronized (logged) {
            return new ArrayList<>(logged.list);
        }
    }

    /** What {@code type} logs from now until the test's end. */
    private ListAppender<ILoggingEvent> capture(Class<?> type) {
        return CapturedLogs.capture(type, detach);
    }

    /** Another instance trying the lock all the while never gets it. */
    private void assertNeverTakenBy(StackEndpoints endpoints, Duration during) throws Exception {
        try (LeaderLock other = new LeaderLock(primary(endpoints), key, PEER_TIMEOUT)) {
            long end = System.nanoTime() + during.toNanos();
            while (System.nanoTime() < end) {
                assertThat(other.tryAcquire()).as("another instance took the leader's lock").isFalse();
                Thread.sleep(250);
            }
        }
    }

    private RelayRunner runner(StackEndpoints endpoints, Map<String, String> settings, ReplicationSlot slot) {
        Map<String, String> p = new HashMap<>(settings);
        p.put("slot-name", "not-a-valid-slot-name");
        p.put("lock-key", Long.toString(key));
        p.put("lock-poll-interval", "1s");
        p.put("lock-peer-timeout", PEER_TIMEOUT.toSeconds() + "s");
        CdcProperties props = TestCdcProperties.with(p);
        SinkDispatcher nothing = new SinkDispatcher(List.of(), sinkExecutor, props, new SimpleMeterRegistry());
        ChangeParser parser = new ChangeParser(props.topicPrefix());
        return new RelayRunner(props, primary(endpoints), slot, () -> new TransactionalBatchHandler(parser, nothing,
                props.maxDeliveryChanges(), props.maxDeliveryBytes()));
    }

    private static ReplicationSlot slot(StackEndpoints endpoints) {
        return new ReplicationSlot(dataSource(endpoints), "it_relay_runner");
    }

    private static PGSimpleDataSource dataSource(StackEndpoints endpoints) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(endpoints.primaryJdbcUrl("postgres"));
        ds.setUser(endpoints.superuser());
        ds.setPassword(endpoints.superuserPassword());
        return ds;
    }

    private static DebeziumConfig.Primary primary(StackEndpoints endpoints) {
        return new DebeziumConfig.Primary(endpoints.primaryJdbcUrl("postgres"), endpoints.superuser(),
                endpoints.superuserPassword());
    }
}
