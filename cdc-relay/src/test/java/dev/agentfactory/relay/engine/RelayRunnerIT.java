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
 * fails at every start (a slot name Debezium refuses), which is all these tests need of it.
 */
@ExtendWith(LocalStackExtension.class)
class RelayRunnerIT {

    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(3);
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
     * The engine failed and the leader waits restart-backoff (5 s) before starting it again: the lock stays its own.
     * The lock session used to sit idle for the whole pause, and the primary ended it (and the lock) after 3 s.
     */
    @Test
    void aLeaderWaitingToRestartItsEngineKeepsItsLock(StackEndpoints endpoints) throws Exception {
        runner = runner(endpoints, Map.of("restart-backoff", "5s"), slot(endpoints));
        runner.start();
        Poll.until(Duration.ofSeconds(60), "the engine failed once", () -> runner.streamFailures() >= 1);

        assertNeverTakenBy(endpoints, Duration.ofSeconds(6));
    }

    /**
     * The walsender of a previous relay takes 10 s to leave the slot after it was terminated (its peer gone, say): the
     * new leader waits for it still holding the lock. The lock session used to sit idle through the wait; the primary
     * ended it after 3 s, and the engine stopped with "leader lock lost" as soon as it started. The wait is logged
     * once for the walsender, not at every check (five WARN lines a second).
     */
    @Test
    void aLeaderWaitingForAStaleWalsenderToExitKeepsItsLock(StackEndpoints endpoints) throws Exception {
        CountDownLatch leading = new CountDownLatch(1);
        long gone = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        ReplicationSlot slowToFree = new ReplicationSlot(dataSource(endpoints), "it_relay_runner") {
            @Override
            Integer activePid(Connection c) {
                leading.countDown(); // asked by the leader only
                return System.nanoTime() < gone ? NOT_A_BACKEND : null;
            }
        };
        ListAppender<ILoggingEvent> logged = capture(ReplicationSlot.class);
        runner = runner(endpoints, Map.of("restart-backoff", "1m", "stale-walsender-timeout", "20s"), slowToFree);
        runner.start();
        assertThat(leading.await(30, TimeUnit.SECONDS)).as("the runner leading").isTrue();

        assertNeverTakenBy(endpoints, Duration.ofSeconds(7));
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("walsender pid " + NOT_A_BACKEND);
    }

    /**
     * An engine that fails at every start with nothing delivered is started again after 0.5, 1, 2 and 4 s: 4 or 5 runs
     * in the 8 s from its first failure, where a fixed restart-backoff started it every 0.5 s (16 runs; and an
     * undeliverable audit event's delivery was published again each time).
     */
    @Test
    void anEngineFailingAtEveryStartIsRestartedLessAndLessOften(StackEndpoints endpoints) throws Exception {
        ListAppender<ILoggingEvent> logged = capture(RelayRunner.class);
        runner = runner(endpoints, Map.of("restart-backoff", "500ms", "restart-backoff-max", "1m"), slot(endpoints));
        runner.start();
        Poll.until(Duration.ofSeconds(60), "the engine failed once", () -> runner.streamFailures() >= 1);
        Thread.sleep(8000);
        long failures = runner.streamFailures();
        System.out.printf("%d engine runs failed in about 8 s from the first failure%n", failures);
        assertThat(failures).isBetween(3L, 6L);
        // Each failure is logged once, with its cause; closing the engine it stopped is no second warning.
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).isEmpty();
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
