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

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.worker.it.ModelAssert;
import dev.agentfactory.worker.it.Streams;
import dev.agentfactory.worker.it.Workload;

/**
 * "No data lost on restarts or crashes", end to end: agents' writes (with re-sends) flow through Kafka into
 * the worker, the relay fans the commits out to Redis, the audit topics and the standby, and meanwhile the
 * worker and the relay are SIGKILLed and restarted and the cache loses every entry. Afterwards the primary
 * equals the model of the input, and every copy agrees with the primary. The schedule is drawn from a seed
 * ({@code -Dit.chaos.seed}, logged); the workload and its model are the worker crash tests' own.
 */
@EnabledIf("dev.agentfactory.gateway.e2e.E2eWorld#relayBuilt")
@ExtendWith(LocalStackExtension.class)
class PipelineCrashIT {

    static final long SEED = Long.getLong("it.chaos.seed", 20_261_127L);
    static final int EVENTS = Integer.getInteger("it.chaos.events", 6000);
    static final int PER_SECOND = 200;

    enum Fault { KILL_WORKER, KILL_RELAY, LOSE_CACHE }

    @Test
    void everyCopyAgreesWithThePrimaryAfterTheWorkerAndRelayCrashAndTheCacheIsLostMidStream(LocalStack local)
            throws Exception {
        System.out.printf("PipelineCrashIT seed %d (rerun with -Dit.chaos.seed=%d), %d events%n", SEED, SEED, EVENTS);
        Random random = new Random(SEED);
        List<UUID> anchorIds = Streams.anchorIds(5);
        Workload anchors = Workload.anchors(anchorIds, "chaosx");
        Workload load = Workload.generate(random.nextLong(), EVENTS, anchorIds, "chaos");
        long expected = anchors.distinctEvents + load.distinctEvents;
        List<Fault> schedule = new ArrayList<>(List.of(Fault.KILL_WORKER, Fault.KILL_WORKER, Fault.KILL_RELAY,
                Fault.KILL_RELAY, Fault.LOSE_CACHE, Fault.LOSE_CACHE));
        Collections.shuffle(schedule, random);

        try (E2eWorld world = new E2eWorld("chaos", local)) {
            world.startRelay(true);
            try (AuditTopicsReader audit = new AuditTopicsReader(world.stack.kafkaBootstrap(),
                    List.of(world.agentsAuditTopic, world.prdsAuditTopic));
                 WriteProducer producer = new WriteProducer(world.stack.kafkaBootstrap(),
                         Map.of("delivery.timeout.ms", 300_000), world.agentTopic, world.prdTopic)) {
                Streams.send(producer, anchors.sends);
                Poll.until(Duration.ofSeconds(60), "the anchor agents committed",
                        () -> processed(world) == anchors.distinctEvents);

                CompletableFuture<Void> streaming = Streams.sendAsync(producer, load.sends, PER_SECOND);
                for (int k = 0; k < schedule.size(); k++) {
                    long target = anchors.distinctEvents
                            + (long) (load.distinctEvents * (k + random.nextDouble()) / (schedule.size() + 1));
                    Poll.until(Duration.ofSeconds(120), "progress to " + target, () -> processed(world) >= target);
                    System.out.printf("fault %d: %s at %d of %d events processed, stream %s%n", k + 1, schedule.get(k),
                            processed(world), expected, streaming.isDone() ? "fully sent" : "still sending");
                    inject(schedule.get(k), world);
                }
                streaming.join();
                Poll.until(Duration.ofSeconds(120), "the worker to take every one of " + expected + " events",
                        () -> processed(world) == expected);
                ModelAssert.assertMatches(world::primarySql, anchors, load);

                RedisClient redisClient = RedisClient.create(world.stack.redisUrl());
                try (StatefulRedisConnection<String, String> redis = redisClient.connect()) {
                    assertSinksAgree(world, redis, audit);
                    long cached = SinkAgreement.keys(redis.sync(), world.cachePrefix).stream()
                            .filter(k -> k.matches(".*:(agent|prd):[0-9a-f-]{36}")).count();
                    System.out.printf("after the faults: %d entity entries cached (the rest lost with the cache), "
                            + "%d audit records for %d versions%n", cached, audit.records.get(), audit.versions.size());
                    assertThat(cached).as("entries the relay cached again after the last cache loss").isPositive();
                } finally {
                    redisClient.shutdown();
                }
            }
        }
    }

    private static void inject(Fault fault, E2eWorld world) throws Exception {
        switch (fault) {
            case KILL_WORKER -> {
                world.worker().kill();
                world.worker().restart().awaitHealthy(Duration.ofSeconds(90));
            }
            case KILL_RELAY -> {
                world.relay().kill();
                world.relay().restart().awaitHealthy(Duration.ofSeconds(90));
            }
            case LOSE_CACHE -> System.out.printf("cache loss: %d keys dropped%n", world.dropCachedKeys());
        }
    }

    /** Polls until the standby, Redis and the audit topics agree with the primary; fails with what differs. */
    private static void assertSinksAgree(E2eWorld world, StatefulRedisConnection<String, String> redis,
                                         AuditTopicsReader audit) {
        AtomicReference<List<String>> last = new AtomicReference<>(List.of("not compared yet"));
        try {
            Poll.until(Duration.ofSeconds(120), "the relay's copies to agree with the primary", () -> {
                audit.rethrowFailure();
                try (Connection primary = world.primarySql(); Connection standby = world.standbySql()) {
                    List<String> differences = new ArrayList<>(SinkAgreement.standby(primary, standby));
                    differences.addAll(SinkAgreement.redis(primary, redis.sync(), world.cachePrefix));
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
