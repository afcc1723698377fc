package dev.agentfactory.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.prd.PrdRepository;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.worker.it.ModelAssert;
import dev.agentfactory.worker.it.Streams;
import dev.agentfactory.worker.it.Workload;

/**
 * "No data lost on restarts or crashes", end to end: agents' writes (with re-sends) flow through Kafka into
 * the worker, a dashboard reads and appends through the gateway, the relay fans the commits out to Redis,
 * the audit topics and the standby, and meanwhile the worker and the relay are SIGKILLed and restarted and
 * the cache loses every entry. Afterwards the primary equals the model of the input, and every copy agrees
 * with the primary. The schedule is drawn from a seed ({@code -Dit.chaos.seed}, logged); the workload and
 * its model are the worker crash tests' own.
 */
@EnabledIf("dev.agentfactory.gateway.e2e.E2eWorld#relayBuilt")
@ExtendWith(LocalStackExtension.class)
// Dirty: the context's database, topics and keys are removed after the class.
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PipelineCrashIT {

    static final long SEED = Long.getLong("it.chaos.seed", 20_261_127L);
    static final int EVENTS = Integer.getInteger("it.chaos.events", 6000);
    static final int PER_SECOND = 200;

    enum Fault { KILL_WORKER, KILL_RELAY, LOSE_CACHE }

    @LocalServerPort
    int port;

    @Autowired
    AgentRepository agents;

    @Autowired
    PrdRepository prds;

    static E2eWorld world() {
        return E2eWorld.shared("chaos", false);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        LocalStackExtension.ensure();
        world().register(registry);
    }

    @AfterAll
    static void stopApps() throws Exception {
        E2eWorld.closeShared("chaos");
    }

    @Test
    void everyCopyAgreesWithThePrimaryAfterTheWorkerAndRelayCrashAndTheCacheIsLostMidStream() throws Exception {
        System.out.printf("PipelineCrashIT seed %d (rerun with -Dit.chaos.seed=%d), %d events%n", SEED, SEED, EVENTS);
        Random random = new Random(SEED);
        List<UUID> anchorIds = Streams.anchorIds(5);
        Workload anchors = Workload.anchors(anchorIds, "chaosx");
        Workload load = Workload.generate(random.nextLong(), EVENTS, anchorIds, "chaos");
        List<Fault> schedule = new ArrayList<>(List.of(Fault.KILL_WORKER, Fault.KILL_WORKER, Fault.KILL_RELAY,
                Fault.KILL_RELAY, Fault.LOSE_CACHE, Fault.LOSE_CACHE));
        Collections.shuffle(schedule, random);

        E2eWorld world = world();
        world.startRelay(true);
        try (AuditTopicsReader audit = new AuditTopicsReader(world.stack.kafkaBootstrap(),
                List.of(world.agentsAuditTopic, world.prdsAuditTopic));
             WriteProducer producer = new WriteProducer(world.stack.kafkaBootstrap(),
                     Map.of("delivery.timeout.ms", 300_000), world.agentTopic, world.prdTopic)) {
            Streams.send(producer, anchors.sends);
            Poll.until(Duration.ofSeconds(60), "the anchor agents committed",
                    () -> processed(world) == anchors.distinctEvents);

            List<String> violations;
            CompletableFuture<Void> streaming = Streams.sendAsync(producer, load.sends, PER_SECOND);
            try (Dashboard dashboard = new Dashboard(new Api(port, E2eWorld.SECRET, "authenticated"),
                    List.copyOf(load.agents.keySet()), List.copyOf(load.prds.keySet()), anchorIds, random.nextLong())) {
                injectFaults(schedule, random, world, load, streaming, dashboard);
                streaming.join();
                dashboard.close();
                dashboard.addAcceptedAppendsTo(anchors);
                violations = List.copyOf(dashboard.violations);
            }
            long expected = anchors.distinctEvents + load.distinctEvents;
            Poll.until(Duration.ofSeconds(120), "the worker to take every one of " + expected + " events",
                    () -> processed(world) == expected);
            ModelAssert.assertMatches(world::primarySql, anchors, load);
            assertCopiesAgree(world, audit);
            // last: the copies' final state says more about a defect than what a reader saw on the way
            assertThat(violations).as("what the dashboard saw during the faults").isEmpty();
        }
    }

    /**
     * Each fault at its seeded moment of the stream's nominal duration (a schedule, not a wait for a
     * condition). A killed app is started again at once and not awaited, so the stream and the next faults
     * go on while it starts (as under an orchestrator); it must be up again before it is killed a second time.
     */
    private static void injectFaults(List<Fault> schedule, Random random, E2eWorld world, Workload load,
                                     CompletableFuture<Void> streaming, Dashboard dashboard) throws Exception {
        long start = System.nanoTime();
        long duration = (long) (load.sends.size() * 1e9 / PER_SECOND);
        for (int k = 0; k < schedule.size(); k++) {
            long due = start + (long) (duration * (k + 0.2 + 0.6 * random.nextDouble()) / schedule.size());
            LockSupport.parkNanos(due - System.nanoTime());
            Fault fault = schedule.get(k);
            switch (fault) {
                case KILL_WORKER -> killAndRestart(world.worker());
                case KILL_RELAY -> killAndRestart(world.relay());
                case LOSE_CACHE -> {
                    dashboard.cacheLost();
                    System.out.printf("cache loss: %d keys dropped%n", world.dropCachedKeys());
                }
            }
            System.out.printf("fault %d at %.1f s: %s with %d events processed, stream %s%n", k + 1,
                    (System.nanoTime() - start) / 1e9, fault, processed(world),
                    streaming.isDone() ? "fully sent" : "still sending");
        }
        world.worker().awaitHealthy(Duration.ofSeconds(90));
        world.relay().awaitHealthy(Duration.ofSeconds(90));
    }

    private static void killAndRestart(AppProcess app) throws Exception {
        app.awaitHealthy(Duration.ofSeconds(90));
        app.kill();
        app.restart();
    }

    /**
     * Polls until the standby, Redis and the audit topics agree with the primary, failing with what differs;
     * and the cache is not vacuously right: the relay has filled it again since the last loss.
     */
    private void assertCopiesAgree(E2eWorld world, AuditTopicsReader audit) {
        RedisClient client = RedisClient.create(world.stack.redisUrl());
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            awaitAgreement(world, redis, audit);
            long cached = SinkAgreement.keys(redis.sync(), world.cachePrefix).stream()
                    .filter(k -> k.matches(".*:(agent|prd):[0-9a-f-]{36}")).count();
            System.out.printf("after the faults: %d entity entries cached (the rest lost with the cache), "
                    + "%d audit records for %d versions%n", cached, audit.records.get(), audit.versions.size());
            assertThat(cached).as("entries the relay cached again after the last cache loss").isPositive();
        } finally {
            client.shutdown();
        }
    }

    private void awaitAgreement(E2eWorld world, StatefulRedisConnection<String, String> redis,
                                AuditTopicsReader audit) {
        AtomicReference<List<String>> last = new AtomicReference<>(List.of("not compared yet"));
        long start = System.nanoTime();
        try {
            Poll.until(Duration.ofSeconds(90), "the relay's copies to agree with the primary", () -> {
                audit.rethrowFailure();
                try (Connection primary = world.primarySql(); Connection standby = world.standbySql()) {
                    List<String> differences = new ArrayList<>(SinkAgreement.standby(primary, standby));
                    differences.addAll(SinkAgreement.redis(primary, redis.sync(), world.cachePrefix, this::loaded));
                    differences.addAll(SinkAgreement.audit(primary, audit));
                    last.set(differences);
                    return differences.isEmpty();
                } catch (SQLException e) {
                    last.set(List.of(e.toString()));
                    return false;
                }
            });
        } catch (AssertionError timeout) {
            throw new AssertionError(timeout.getMessage() + "; still different:\n  "
                    + String.join("\n  ", last.get().subList(0, Math.min(40, last.get().size()))), timeout);
        }
        System.out.printf("the standby, Redis and the audit topics agreed with the primary %.1f s after the primary matched "
                + "the model%n", (System.nanoTime() - start) / 1e9);
    }

    /** The JSON the gateway caches for an entity after reading it from the primary; null when there is none. */
    private String loaded(boolean agent, UUID id) {
        ReadModelCodec codec = new ReadModelCodec();
        return agent ? agents.findById(id).map(codec::write).orElse(null) : prds.findById(id).map(codec::write).orElse(null);
    }

    private static long processed(E2eWorld world) {
        try (Connection c = world.primarySql(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM factory.processed_events")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }
}
