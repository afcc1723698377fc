package dev.agentfactory.relay.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;
import dev.agentfactory.store.cache.VersionGuardedPut;
import dev.agentfactory.store.cache.VersionGuardedPut.Entry;

/**
 * Keeps the gateway's Redis read model of agents and PRDs current. Each write goes through the script the
 * gateway uses too ({@link VersionGuardedPut}), which compares versions atomically, so a redelivered or late
 * change never overwrites a newer one; entries written here do not expire (tombstones do).
 * A soft delete stores a tombstone (the deleted entity itself, with its version and {@code deletedAt}) for
 * {@code tombstoneTtl} and drops the slug key: the gateway answers 410 from it, and an older change
 * delivered again cannot bring the entity back. A hard delete (an operator's purge; the worker never issues
 * one) stores a purge marker the same way, without the row's fields: the gateway answers 404, and a read
 * that loaded the row just before the purge cannot cache it again. Writes carry the change's LSN, so an
 * entity re-created with the purged id replaces the marker (see {@link VersionGuardedPut}).
 * A batch that changes agents (PRDs) also ends the epoch of the gateway's cached first list pages, before
 * the entity keys move: whoever sees the new version in Redis will not be served a list without it.
 * Before each delivery it drops the read model if Redis is another server process than the one it wrote to
 * ({@link ReadModelServerCheck}): one restarted from disk or promoted from a replica may hold older values.
 */
public class RedisReadModelSink implements Sink {

    private static final Logger log = LoggerFactory.getLogger(RedisReadModelSink.class);
    private static final byte[] SCRIPT = VersionGuardedPut.SCRIPT.getBytes(StandardCharsets.UTF_8);
    /** Past any sink timeout: the dispatcher's timeout interrupts the wait first. */
    private static final Duration WRITE_WAIT = Duration.ofMinutes(5);

    private final StringRedisTemplate redis;
    private final ReadModelKeys keys;
    private final ReadModelCodec codec;
    private final Rows rows;
    private final long tombstoneTtlSeconds;
    private final ReadModelServerCheck server;
    private final Duration idleReach;

    /**
     * @param serverCheckBudget how long one delivery may spend dropping a read model written to another Redis
     *                          server (the rest of the drop goes on at the next deliveries); under the sink
     *                          timeout
     */
    public RedisReadModelSink(StringRedisTemplate redis, ReadModelKeys keys, ReadModelCodec codec, Rows rows,
                              long tombstoneTtlSeconds, Duration serverCheckBudget) {
        this.redis = redis;
        this.keys = keys;
        this.codec = codec;
        this.rows = rows;
        this.tombstoneTtlSeconds = tombstoneTtlSeconds;
        this.server = new ReadModelServerCheck(redis, keys, serverCheckBudget);
        // a quarter of the sink timeout (the budget is half of it), at most 1 s: INFO and a GET answer in milliseconds
        this.idleReach = min(Duration.ofSeconds(1), serverCheckBudget.dividedBy(2));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Read models dropped because Redis was another server than the one they were written to: a metric. */
    public long readModelDrops() {
        return server.drops();
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void apply(List<RowChange> changes) {
        // Only the newest change per entity matters (the script guards against anything older in Redis), but
        // a purge in the batch goes first: the live entry it replaces may hold a higher version than a
        // re-created entity's, which only the purge marker's LSN lets through.
        Map<String, RowChange> firstPurge = new LinkedHashMap<>();
        Map<String, RowChange> latest = new LinkedHashMap<>();
        for (RowChange c : changes) {
            if (c.table().equals("agents") || c.table().equals("prds")) {
                String entity = c.table() + ":" + c.row().get("id");
                if (c.isDelete()) {
                    firstPurge.putIfAbsent(entity, c);
                }
                latest.put(entity, c);
            }
        }
        if (latest.isEmpty()) {
            checkWhileIdle();
            return;
        }
        // Every delivery, heartbeats included, so a Redis that came back older is found while the factory idles.
        // A drop that does not end within its budget goes on at the next delivery; these writes go ahead.
        server.check();
        List<byte[][]> calls = new ArrayList<>(firstPurge.size() + latest.size());
        firstPurge.forEach((entity, purge) -> {
            if (latest.get(entity) != purge) {
                calls.add(scriptArgs(purge));
            }
        });
        latest.values().forEach(c -> calls.add(scriptArgs(c)));
        List<byte[]> endedEpochs = new ArrayList<>(2);
        if (latest.values().stream().anyMatch(c -> c.table().equals("agents"))) {
            endedEpochs.add(keys.agentListEpoch().getBytes(StandardCharsets.UTF_8));
        }
        if (latest.values().stream().anyMatch(c -> c.table().equals("prds"))) {
            endedEpochs.add(keys.prdListEpoch().getBytes(StandardCharsets.UTF_8));
        }
        write(endedEpochs, calls);
    }

    /**
     * Sends the epoch ends, then the scripts, on the template's shared connection without waiting between them (one
     * connection runs them in order), then waits for every answer. Not {@code executePipelined}: Spring Data Redis
     * pipelines on a dedicated connection, which without a pool is a new one per delivery (TCP, TLS and AUTH
     * against Memorystore, for a few milliseconds of writes). The sink timeout bounds the wait (the dispatcher
     * interrupts it).
     */
    @SuppressWarnings("unchecked")
    private void write(List<byte[]> endedEpochs, List<byte[][]> calls) {
        redis.execute((RedisCallback<Void>) connection -> {
            var commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
            List<RedisFuture<?>> sent = new ArrayList<>(endedEpochs.size() + calls.size());
            endedEpochs.forEach(k -> sent.add(commands.del(k)));
            for (byte[][] args : calls) {
                byte[][] keyArgs = Arrays.copyOfRange(args, 0, VersionGuardedPut.KEYS);
                byte[][] values = Arrays.copyOfRange(args, VersionGuardedPut.KEYS, args.length);
                sent.add(commands.eval(SCRIPT, ScriptOutputType.INTEGER, keyArgs, values));
            }
            if (!LettuceFutures.awaitAll(WRITE_WAIT, sent.toArray(new RedisFuture<?>[0]))) {
                throw new RedisCommandTimeoutException("Redis did not answer " + sent.size() + " writes within "
                        + WRITE_WAIT);
            }
            return null;
        });
    }

    /**
     * The server check of a delivery with nothing for Redis (a heartbeat, other tables): a Redis that cannot be
     * reached then fails nothing. Failing would restart an idle relay's engine and hold its slot's confirmed
     * position for as long as Redis is down, for no write; the check runs again at the next delivery. It waits for
     * Redis at most {@code idleReach}: Lettuce holds commands while it reconnects, and the check waited for the client's
     * command timeout (Boot's 60 s), past the sink timeout, so every heartbeat's delivery failed all the same.
     */
    private void checkWhileIdle() {
        try {
            server.check(idleReach);
        } catch (RuntimeException e) {
            log.warn("Redis server check skipped, nothing to write: {}", e.toString());
        }
    }

    private byte[][] scriptArgs(RowChange c) {
        Map<String, Object> r = c.row();   // a delete's before-image is the whole row (REPLICA IDENTITY FULL)
        boolean agent = c.table().equals("agents");
        long version = Rows.num(r, "version");
        Entry entry;
        String value;
        if (c.isDelete()) {
            entry = Entry.PURGED;
            value = codec.purged(Rows.uuid(r, "id"), version, c.lsn());
        } else {
            entry = r.get("deleted_at") != null ? Entry.DELETED : Entry.LIVE;
            value = agent ? codec.write(rows.agent(r)) : codec.write(rows.prd(r));
        }
        return bytes(VersionGuardedPut.committed(keys, agent, Rows.uuid(r, "id"), Rows.str(r, "slug"), version,
                value, entry, c.lsn(), tombstoneTtlSeconds * 1000));
    }

    private static byte[][] bytes(String... values) {
        byte[][] out = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
