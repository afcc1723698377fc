package dev.agentfactory.relay.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.relay.change.RowChange.Op;
import dev.agentfactory.stack.RedisServer;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.FreePorts;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;
import dev.agentfactory.store.cache.VersionGuardedPut;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Redis sink on the real Redis of the local stack, fed row images shaped as Debezium gives them, with
 * the gateway's read-through write (the same script, no commit order) racing it: a hard delete leaves a
 * purge marker that keeps the purged row out of the cache, and an entity re-created with the purged id
 * replaces the marker. Keys live under a prefix of this class, removed afterwards.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisReadModelSinkIT {

    private static final Duration TOMBSTONE_TTL = Duration.ofDays(7);
    private static final Duration CACHE_TTL = Duration.ofHours(1);
    private static final Duration CHECK_BUDGET = Duration.ofSeconds(5);
    private static final RedisScript<Long> GUARD = RedisScript.of(VersionGuardedPut.SCRIPT, Long.class);

    private final ReadModelKeys keys = new ReadModelKeys("it-relay-sink-" + UUID.randomUUID());
    private final ReadModelCodec codec = new ReadModelCodec();
    private final Rows rows = new Rows(JsonMapper.builder().build());
    private LettuceConnectionFactory connections;
    private StringRedisTemplate redis;
    private RedisReadModelSink sink;
    private String redisUrl;

    @BeforeAll
    void connect(StackEndpoints endpoints) {
        this.redisUrl = endpoints.redisUrl();
        URI redisUrl = URI.create(this.redisUrl);
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redisUrl.getHost(), redisUrl.getPort()));
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
        sink = new RedisReadModelSink(redis, keys, codec, rows,
                TOMBSTONE_TTL.toSeconds(), CHECK_BUDGET);
    }

    @AfterAll
    void close() {
        var found = redis.keys(keys.prefix() + ":*");
        if (found != null && !found.isEmpty()) {
            redis.delete(found);
        }
        connections.destroy();
    }

    /**
     * Deliveries write on the client's one shared connection. They were pipelined, which Spring Data Redis does on a
     * dedicated connection: without a pool, a new connection (TCP, TLS and AUTH on Memorystore) per delivery.
     */
    @Test
    void deliveriesWriteOnOneConnectionNotANewOnePerDelivery() {
        ClientResources resources = DefaultClientResources.create();
        AtomicInteger opened = new AtomicInteger();
        resources.eventBus().get().filter(e -> e instanceof ConnectionActivatedEvent)
                .subscribe(e -> opened.incrementAndGet());
        URI url = URI.create(redisUrl);
        LettuceConnectionFactory counted = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(url.getHost(), url.getPort()),
                LettuceClientConfiguration.builder().clientResources(resources).build());
        counted.afterPropertiesSet();
        counted.start();
        try {
            RedisReadModelSink own = new RedisReadModelSink(new StringRedisTemplate(counted), keys, codec, rows,
                    TOMBSTONE_TTL.toSeconds(), CHECK_BUDGET);
            UUID id = UUID.randomUUID();
            String slug = "one-connection-" + id;
            for (int v = 1; v <= 9; v++) { // agentRow writes the version into a timestamp's seconds: at most 9
                own.apply(List.of(change(Op.UPDATE, agentRow(id, slug, v - 1), agentRow(id, slug, v), 1000L + v)));
            }

            assertThat(codec.version(redis.opsForValue().get(keys.agent(id)))).isEqualTo(9);
            assertThat(opened).as("connections opened for 9 deliveries").hasValueLessThanOrEqualTo(1);
        } finally {
            counted.destroy();
            resources.shutdown();
        }
    }

    @Test
    void aHardDeleteLeavesAPurgeMarkerThatRefusesALateReadThroughWriteOfThePurgedRow() {
        UUID id = UUID.randomUUID();
        String slug = "purged-" + id;
        Map<String, Object> v1 = agentRow(id, slug, 1);
        Map<String, Object> v2 = agentRow(id, slug, 2);
        sink.apply(List.of(change(Op.INSERT, null, v1, 100), change(Op.UPDATE, v1, v2, 200)));
        // the gateway missed the cache and loaded version 2 from PostgreSQL just before the purge committed
        String loaded = cached(v2);

        sink.apply(List.of(change(Op.DELETE, v2, null, 300)));
        String marker = redis.opsForValue().get(keys.agent(id));
        assertThat(marker).isNotNull();
        assertThat(codec.isPurged(marker)).isTrue();
        assertThat(marker).doesNotContain(slug);
        assertThat(codec.version(marker)).isEqualTo(2);
        assertThat(redis.getExpire(keys.agent(id))).isPositive().isLessThanOrEqualTo(TOMBSTONE_TTL.toSeconds());
        assertThat(redis.opsForValue().get(keys.agentSlug(slug))).isNull();

        // ... and its cache write lands after the relay's
        assertThat(readThroughWrite(id, slug, 2, loaded)).isZero();
        assertThat(readThroughWrite(id, slug, 1, loaded)).isZero();
        assertThat(redis.opsForValue().get(keys.agent(id))).isEqualTo(marker);
        assertThat(redis.opsForValue().get(keys.agentSlug(slug))).isNull();
        // the marker keeps its lifetime: a refused cache-aside write does not cut it to the cache TTL
        assertThat(redis.getExpire(keys.agent(id))).isGreaterThan(CACHE_TTL.toSeconds());

        // a redelivered change from before the purge cannot revive the row either
        sink.apply(List.of(change(Op.UPDATE, v1, v2, 200)));
        assertThat(redis.opsForValue().get(keys.agent(id))).isEqualTo(marker);
    }

    @Test
    void anEntityRecreatedWithThePurgedIdReplacesTheMarkerAndThePurgedRowStaysOut() {
        UUID id = UUID.randomUUID();
        String slug = "reborn-" + id;
        Map<String, Object> old = agentRow(id, slug, 3);
        sink.apply(List.of(change(Op.UPDATE, old, old, 100)));
        sink.apply(List.of(change(Op.DELETE, old, null, 200)));

        Map<String, Object> reborn = agentRow(id, slug, 1);
        sink.apply(List.of(change(Op.INSERT, null, reborn, 300)));
        assertThat(cachedVersion(id)).isEqualTo(1);
        assertThat(redis.opsForValue().get(keys.agentSlug(slug))).isEqualTo(id.toString());

        // a read of the purged row that began before the purge lands only now: its version (3) is higher than
        // the new entity's, but the purge floor refuses it
        String stale = cached(old);
        assertThat(readThroughWrite(id, slug, 3, stale)).isZero();
        assertThat(cachedVersion(id)).isEqualTo(1);
        // after a relay crash the changes since its last offset come again, in commit order: same end state
        sink.apply(List.of(change(Op.UPDATE, old, old, 100), change(Op.DELETE, old, null, 200),
                change(Op.INSERT, null, reborn, 300)));
        assertThat(cachedVersion(id)).isEqualTo(1);
        // the new entity moves on as usual, past the purged version too
        Map<String, Object> reborn4 = agentRow(id, slug, 4);
        assertThat(readThroughWrite(id, slug, 4, cached(reborn4)))
                .isOne();
        assertThat(cachedVersion(id)).isEqualTo(4);
    }

    @Test
    void aRedeliveryAfterARecreationCannotReviveThePurgedRowEvenOneBatchAtATime() {
        UUID id = UUID.randomUUID();
        String slug = "replayed-" + id;
        Map<String, Object> old = agentRow(id, slug, 3);
        Map<String, Object> reborn = agentRow(id, slug, 1);
        sink.apply(List.of(change(Op.UPDATE, old, old, 100)));
        sink.apply(List.of(change(Op.DELETE, old, null, 200)));
        sink.apply(List.of(change(Op.INSERT, null, reborn, 300)));
        String current = redis.opsForValue().get(keys.agent(id));

        // after a relay crash the engine replays from its last offset, and may hand the changes over in
        // batches of one: the purged row's update (version 3 > 1), then the purge itself (version 3 >= 1)
        sink.apply(List.of(change(Op.UPDATE, old, old, 100)));
        assertThat(redis.opsForValue().get(keys.agent(id))).isEqualTo(current);
        sink.apply(List.of(change(Op.DELETE, old, null, 200)));
        assertThat(redis.opsForValue().get(keys.agent(id))).isEqualTo(current);
        assertThat(redis.opsForValue().get(keys.agentSlug(slug))).isEqualTo(id.toString());
        // and the re-created entity's own changes still go through, the redelivered one and newer ones
        sink.apply(List.of(change(Op.INSERT, null, reborn, 300)));
        sink.apply(List.of(change(Op.UPDATE, reborn, agentRow(id, slug, 2), 400)));
        assertThat(cachedVersion(id)).isEqualTo(2);
    }

    @Test
    void thePurgeFloorLivesAsLongAsTheMarkerItReplacesWhenAReadReplacesIt() {
        UUID id = UUID.randomUUID();
        String slug = "floor-ttl-" + id;
        Map<String, Object> old = agentRow(id, slug, 2);
        sink.apply(List.of(change(Op.UPDATE, old, old, 100)));
        sink.apply(List.of(change(Op.DELETE, old, null, 200)));
        // the re-created entity got past the purged version before the relay saw it: a read caches it first
        assertThat(readThroughWrite(id, slug, 3, cached(agentRow(id, slug, 3)))).isOne();
        assertThat(redis.getExpire(keys.purgeFloor(keys.agent(id)))).isGreaterThan(CACHE_TTL.toSeconds());
    }

    @Test
    void aPurgeAndARecreationInOneBatchLeaveTheNewEntityEvenBelowTheCachedVersion() {
        UUID id = UUID.randomUUID();
        String slug = "same-batch-" + id;
        Map<String, Object> old = agentRow(id, slug, 5);
        sink.apply(List.of(change(Op.UPDATE, old, old, 100)));

        Map<String, Object> reborn = agentRow(id, slug, 1);
        sink.apply(List.of(change(Op.DELETE, old, null, 200), change(Op.INSERT, null, reborn, 300)));
        assertThat(cachedVersion(id)).isEqualTo(1);
        assertThat(codec.isPurged(redis.opsForValue().get(keys.agent(id)))).isFalse();
    }

    private long cachedVersion(UUID id) {
        String value = redis.opsForValue().get(keys.agent(id));
        assertThat(value).isNotNull();
        return codec.version(value);
    }

    /** What the gateway's cache-aside write runs: the same script, with no commit order. */
    private long readThroughWrite(UUID id, String slug, long version, String json) {
        String[] call = VersionGuardedPut.cacheAside(keys, true, id, slug, version, json, false, CACHE_TTL.toMillis());
        Long written = redis.execute(GUARD, List.of(call).subList(0, VersionGuardedPut.KEYS),
                (Object[]) Arrays.copyOfRange(call, VersionGuardedPut.KEYS, call.length));
        return written == null ? -1 : written;
    }

    @Test
    void aReadModelRecordedForAnotherRedisServerIsDroppedAtTheNextDeliveryAndTheGatewaysIdempotencyRecordsStay() {
        ReadModelKeys own = new ReadModelKeys("it-relay-server-" + UUID.randomUUID());
        ReadModelKeys neighbour = new ReadModelKeys(own.prefix() + "x"); // shares the text, not the prefix
        UUID stale = UUID.randomUUID();
        List<String> readModel = List.of(own.agent(stale), own.purgeFloor(own.agent(stale)), own.agentSlug("s"),
                own.prd(stale), own.prdSlug("p"), own.agentListEpoch(), own.prdListEpoch());
        String idempotency = own.prefix() + ":idempotency:key-1";
        String neighbours = neighbour.agent(stale);
        try {
            readModel.forEach(k -> redis.opsForValue().set(k, "older"));
            redis.opsForValue().set(idempotency, "kept");
            redis.opsForValue().set(neighbours, "kept");
            redis.opsForValue().set(own.server(), "a-server-that-restarted-from-disk");

            RedisReadModelSink fresh = new RedisReadModelSink(redis, own, codec, rows, TOMBSTONE_TTL.toSeconds(),
                    CHECK_BUDGET);
            fresh.apply(List.of()); // a heartbeat
            assertThat(fresh.readModelDrops()).isEqualTo(1);
            fresh.apply(List.of());
            assertThat(fresh.readModelDrops()).as("the server on record now").isEqualTo(1);

            assertThat(readModel).allSatisfy(k -> assertThat(redis.hasKey(k)).as(k).isFalse());
            assertThat(redis.opsForValue().get(idempotency)).isEqualTo("kept");
            assertThat(redis.opsForValue().get(neighbours)).isEqualTo("kept");
            assertThat(redis.opsForValue().get(own.server())).isEqualTo(serverId());

            // The server on record: a relay that restarts (a new sink) keeps what is cached.
            redis.opsForValue().set(own.agent(stale), "current");
            new RedisReadModelSink(redis, own, codec, rows, TOMBSTONE_TTL.toSeconds(), CHECK_BUDGET).apply(List.of());
            assertThat(redis.opsForValue().get(own.agent(stale))).isEqualTo("current");
        } finally {
            redis.delete(redis.keys(own.prefix() + "*"));
        }
    }

    @Test
    void aRecordTheSameServerLostIsWrittenAgainWithoutADropAndAnotherServersRecordIsStillDropped() {
        ReadModelKeys own = new ReadModelKeys("it-relay-lost-" + UUID.randomUUID());
        UUID id = UUID.randomUUID();
        try {
            RedisReadModelSink relay = new RedisReadModelSink(redis, own, codec, rows, TOMBSTONE_TTL.toSeconds(),
                    CHECK_BUDGET);
            relay.apply(List.of()); // nothing on record yet: an empty drop, then the record
            assertThat(redis.opsForValue().get(own.server())).isEqualTo(serverId());
            redis.opsForValue().set(own.agent(id), "current");

            redis.delete(own.server()); // as FLUSHALL, FLUSHDB or an eviction leave it, the process unchanged
            relay.apply(List.of());

            assertThat(relay.readModelDrops()).as("no drop for the same server").isEqualTo(1);
            assertThat(redis.opsForValue().get(own.server())).isEqualTo(serverId());
            assertThat(redis.opsForValue().get(own.agent(id))).isEqualTo("current");
            // recorded again, so a relay that starts later keeps the read model too
            RedisReadModelSink restarted = new RedisReadModelSink(redis, own, codec, rows,
                    TOMBSTONE_TTL.toSeconds(), CHECK_BUDGET);
            restarted.apply(List.of());
            assertThat(restarted.readModelDrops()).isZero();
            assertThat(redis.opsForValue().get(own.agent(id))).isEqualTo("current");

            redis.opsForValue().set(own.server(), "a-server-that-restarted-from-disk");
            relay.apply(List.of());

            assertThat(relay.readModelDrops()).as("another server's record").isEqualTo(2);
            assertThat(redis.hasKey(own.agent(id))).isFalse();
        } finally {
            redis.delete(redis.keys(own.prefix() + "*"));
        }
    }

    @Test
    void aDropLongerThanOneDeliverysBudgetGoesOnFromItsCursorAtTheNextDeliveriesWhoseWritesGoAhead() {
        ReadModelKeys own = new ReadModelKeys("it-relay-drop-" + UUID.randomUUID());
        // A zero budget: one SCAN step per delivery, as a keyspace too large for one sink call would get.
        RedisReadModelSink slow = new RedisReadModelSink(redis, own, codec, rows, TOMBSTONE_TTL.toSeconds(),
                Duration.ZERO);
        List<String> stale = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            stale.add(own.agent(UUID.randomUUID()));
        }
        String idempotency = own.prefix() + ":idempotency:key-1";
        try {
            for (int from = 0; from < stale.size(); from += 1_000) {
                Map<String, String> chunk = new java.util.HashMap<>();
                stale.subList(from, from + 1_000).forEach(k -> chunk.put(k, "older"));
                redis.opsForValue().multiSet(chunk);
            }
            redis.opsForValue().set(idempotency, "kept");
            redis.opsForValue().set(own.server(), "a-server-that-restarted-from-disk");
            UUID id = UUID.randomUUID();

            slow.apply(List.of(change(Op.INSERT, null, agentRow(id, "during-" + id, 1), 100)));

            assertThat(redis.opsForValue().get(own.server())).as("one step does not walk 20 000 keys")
                    .isEqualTo("a-server-that-restarted-from-disk");
            assertThat(redis.opsForValue().get(own.agent(id))).as("the delivery is written meanwhile").isNotNull();
            int deliveries = 1;
            while (!serverId().equals(redis.opsForValue().get(own.server())) && deliveries < 100_000) {
                slow.apply(List.of()); // heartbeats
                deliveries++;
            }
            assertThat(redis.opsForValue().get(own.server())).isEqualTo(serverId());
            assertThat(redis.countExistingKeys(stale)).as("stale keys left after %d deliveries", deliveries)
                    .isZero();
            assertThat(redis.opsForValue().get(idempotency)).isEqualTo("kept");
        } finally {
            redis.delete(redis.keys(own.prefix() + "*"));
        }
    }

    @Test
    void aRedisPromotedBackAfterServingAsAnotherOnesReplicaIsAnotherServerThoughItsProcessIsTheSame()
            throws Exception {
        // Two failovers while the relay was not delivering (down, or between heartbeats): the first primary took the
        // lagging replica's data as its replica and is primary again with the run_id it had. Its data are the
        // replica's, older than what the relay wrote to it.
        int firstPort = FreePorts.take();
        int laggingPort = FreePorts.take();
        RedisServer first = new RedisServer(redisDir("first"), firstPort);
        RedisServer lagging = new RedisServer(redisDir("lagging"), laggingPort);
        LettuceConnectionFactory firstConnections = null;
        try {
            first.ensureStarted();
            lagging.ensureStarted();
            firstConnections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", firstPort));
            firstConnections.afterPropertiesSet();
            firstConnections.start();
            StringRedisTemplate onFirst = new StringRedisTemplate(firstConnections);
            onFirst.getConnectionFactory().getConnection().serverCommands().flushAll();
            RedisReadModelSink onFirstSink = new RedisReadModelSink(onFirst, keys, codec, rows,
                    TOMBSTONE_TTL.toSeconds(), CHECK_BUDGET);
            UUID id = UUID.randomUUID();
            onFirstSink.apply(List.of(change(Op.INSERT, null, agentRow(id, "promoted-" + id, 1), 100)));
            String record = onFirst.opsForValue().get(keys.server());
            assertThat(record).isNotNull();
            lagging.command("FLUSHALL");
            lagging.command("SET " + keys.server() + " " + record); // replicated before it fell behind
            lagging.command("SET " + keys.agent(id) + " older");

            first.command("REPLICAOF 127.0.0.1 " + laggingPort);
            Poll.until(Duration.ofSeconds(30), "the first primary to hold its replica's data",
                    () -> "older".equals(onFirst.opsForValue().get(keys.agent(id))));
            first.command("REPLICAOF NO ONE");

            onFirstSink.apply(List.of());

            assertThat(onFirst.opsForValue().get(keys.agent(id))).as("the replica's older entry").isNull();
        } finally {
            if (firstConnections != null) {
                firstConnections.destroy();
            }
            first.stop();
            lagging.stop();
        }
    }

    private static Path redisDir(String name) throws IOException {
        return Files.createDirectories(Path.of("target", "it-redis-" + name).toAbsolutePath());
    }

    /** What the relay records of the shared stack's Redis: its run_id and replication ID. */
    private String serverId() {
        return info("server", "run_id") + "/" + info("replication", "master_replid");
    }

    private String info(String section, String field) {
        return redis.execute((org.springframework.data.redis.core.RedisCallback<java.util.Properties>)
                c -> c.serverCommands().info(section)).getProperty(field);
    }

    @Test
    void anUnreachableRedisFailsOnlyADeliveryThatHasSomethingToWriteThere() {
        int closed = FreePorts.take(); // nothing listens there: FreePorts closes its probe
        LettuceConnectionFactory down = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", closed));
        down.afterPropertiesSet();
        down.start();
        try {
            RedisReadModelSink idle = new RedisReadModelSink(new StringRedisTemplate(down), keys, codec, rows,
                    TOMBSTONE_TTL.toSeconds(), CHECK_BUDGET);
            Map<String, Object> other = Map.of("id", 1);

            idle.apply(List.of()); // a heartbeat: an idle relay keeps acknowledging it
            idle.apply(List.of(new RowChange("agent_history", Op.INSERT, null, other, 7L, 50, Instant.now())));

            UUID id = UUID.randomUUID();
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> idle.apply(List.of(change(Op.INSERT, null, agentRow(id, "down-" + id, 1), 100))))
                    .isInstanceOf(RuntimeException.class);
        } finally {
            down.destroy();
        }
    }

    private static RowChange change(Op op, Map<String, Object> before, Map<String, Object> after, long lsn) {
        return new RowChange("agents", op, before, after, 7L, lsn, Instant.now());
    }

    private static Map<String, Object> agentRow(UUID id, String slug, long version) {
        return DebeziumRows.agent(id, slug, version, "Agent " + version);
    }

    /** The row as the gateway caches it after a database read. */
    private String cached(Map<String, Object> row) {
        return codec.write(rows.agent(row));
    }
}
