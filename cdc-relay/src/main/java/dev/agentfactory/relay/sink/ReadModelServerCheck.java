package dev.agentfactory.relay.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisKeyAsyncCommands;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.agentfactory.store.cache.ReadModelKeys;

/**
 * Drops the read model when Redis is not the server process it was written to. A Redis that restarted from
 * its RDB or AOF file, or a replica promoted by a failover, may hold older values than the relay wrote and
 * was acknowledged; the version guard only compares with what Redis holds and relay entries do not expire, so
 * an entity that does not change again would be served at the older version for ever. The server's
 * {@code run_id} is new at every start and its replication ID at every promotion, so the relay records both
 * beside the read model ({@link ReadModelKeys#server()}) and, when Redis reports others, deletes every read-model
 * key of its prefix: reads then load the database. The gateway's idempotency records are kept (a retry keeps its
 * name-based eventId, so the worker still answers it once).
 *
 * <p>SCAN walks the whole keyspace (MATCH filters after the walk), which on a large or shared Redis takes
 * longer than one sink call may. So a drop runs for at most {@code budget} per delivery and resumes from its
 * SCAN cursor at the next one (heartbeats included) rather than starting over: a drop restarted by every
 * timed-out attempt would never end, and the relay would stop. Meanwhile the deliveries' writes go ahead;
 * the walk may delete some of them again, which costs a database read, never a stale one.
 */
final class ReadModelServerCheck {

    private static final Logger log = LoggerFactory.getLogger(ReadModelServerCheck.class);
    private static final int SCAN_BATCH = 1000;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The server's identity and the one on record, in one round trip per delivery: its {@code run_id} (new at
     * every start) and its replication ID. A primary that served as another one's replica took that one's data
     * by full sync and keeps its run_id when promoted again; its replication ID is new at every promotion.
     */
    private static final byte[] IDENTITY = """
            local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
            local replid = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
            if not run or not replid then return {false} end
            return {run .. '/' .. replid, redis.call('GET', KEYS[1])}""".getBytes(StandardCharsets.UTF_8);

    private final StringRedisTemplate redis;
    private final ReadModelKeys keys;
    private final Duration budget;
    private String confirmed; // the server (run_id/replication ID) this relay last found recorded, or recorded itself
    private Drop dropping;    // a drop under way for that server
    private final AtomicLong drops = new AtomicLong(); // completed, read by the metrics thread

    /** Where a drop has got to: the server it drops for and the SCAN cursor. */
    private static final class Drop {
        final String server;
        String cursor = ScanCursor.INITIAL.getCursor();
        long dropped;

        Drop(String server) {
            this.server = server;
        }
    }

    ReadModelServerCheck(StringRedisTemplate redis, ReadModelKeys keys, Duration budget) {
        this.redis = redis;
        this.keys = keys;
        this.budget = budget;
    }

    /** {@link #check(Duration)} with as long for the server's answer as one SCAN step. */
    boolean check() {
        return check(STEP_TIMEOUT);
    }

    /**
     * Checks the server and drops the read model if it changed, for at most the budget (at least one SCAN
     * step); returns whether the read model is known to be this server's. The record is written only once
     * every key is gone, so a relay that restarts mid-drop drops again from the start. Synchronized: a call
     * the sink's timeout interrupted may still be unwinding when the retry starts.
     *
     * @param reach how long to wait for the server's identity; past it the check fails with Lettuce's
     *              {@link io.lettuce.core.RedisCommandTimeoutException}. Lettuce queues commands while it reconnects,
     *              so without a bound of its own a check during an outage waited for the client's command timeout.
     */
    synchronized boolean check(Duration reach) {
        List<String> found = identity(reach);
        if (found == null || found.isEmpty() || found.get(0) == null) {
            throw new IllegalStateException("Redis reported no run_id or master_replid: cannot tell whether the"
                    + " read model under '" + keys.prefix() + "' is the one this relay wrote");
        }
        String server = found.get(0);
        String recorded = found.size() > 1 ? found.get(1) : null;
        if (server.equals(recorded)) {
            confirmed = server;
            dropping = null;
            return true;
        }
        if (recorded == null && server.equals(confirmed)) {
            // The same server process lost the record (FLUSHALL, FLUSHDB, eviction, a DEL): whatever it lost reads
            // from the database again, and nothing it holds is older than what the relay wrote. Record it again,
            // or a relay restarting later would drop a read model that is current.
            redis.opsForValue().set(keys.server(), server);
            log.info("Redis server {} lost the record of the read model under '{}': recorded again", server,
                    keys.prefix());
            return true;
        }
        if (dropping == null || !dropping.server.equals(server)) {
            dropping = new Drop(server);
            log.warn("Redis server {} is not the one the read model under '{}' was written to ({}): dropping it;"
                    + " reads load the database until the cache fills again", server, keys.prefix(),
                    recorded == null ? "none recorded" : recorded);
        }
        if (!drop(dropping)) {
            return false;
        }
        redis.opsForValue().set(keys.server(), server);
        log.warn("read model under '{}' dropped for Redis server {}: {} keys deleted", keys.prefix(), server,
                dropping.dropped);
        drops.incrementAndGet();
        confirmed = server;
        dropping = null;
        return true;
    }

    /** How many drops this relay has completed (a Redis restart, failover or restore each). */
    long drops() {
        return drops.get();
    }

    /** SCAN steps from the drop's cursor until the walk ends (true) or the budget is spent (false). */
    private boolean drop(Drop drop) {
        long deadline = System.nanoTime() + budget.toNanos();
        do {
            KeyScanCursor<byte[]> step = scan(drop.cursor);
            List<String> batch = new ArrayList<>(step.getKeys().size());
            for (byte[] key : step.getKeys()) {
                String k = new String(key, StandardCharsets.UTF_8);
                if (keys.inReadModel(k)) {
                    batch.add(k);
                }
            }
            if (!batch.isEmpty()) {
                Long n = redis.unlink(batch);
                drop.dropped += n == null ? 0 : n;
            }
            // the cursor moves only once the step's keys are gone: an interrupted step is walked again
            drop.cursor = step.getCursor();
            if (step.isFinished()) {
                return true;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** The server's run_id/replication ID and the one on record, or the script's {false}. */
    @SuppressWarnings("unchecked")
    private List<String> identity(Duration reach) {
        List<Object> found = redis.execute((RedisCallback<List<Object>>) c -> LettuceFutures.awaitOrCancel(
                ((RedisScriptingAsyncCommands<byte[], byte[]>) c.getNativeConnection()).eval(IDENTITY,
                        ScriptOutputType.MULTI, keys.server().getBytes(StandardCharsets.UTF_8)),
                reach.toNanos(), TimeUnit.NANOSECONDS));
        if (found == null) {
            return null;
        }
        List<String> out = new ArrayList<>(found.size());
        found.forEach(v -> out.add(v == null ? null : new String((byte[]) v, StandardCharsets.UTF_8)));
        return out;
    }

    // Spring's Cursor always starts at 0; resuming needs the cursor itself, hence Lettuce's own SCAN.
    @SuppressWarnings("unchecked")
    private KeyScanCursor<byte[]> scan(String cursor) {
        ScanArgs args = ScanArgs.Builder.matches(keys.scanPattern()).limit(SCAN_BATCH);
        return redis.execute((RedisCallback<KeyScanCursor<byte[]>>) c -> LettuceFutures.awaitOrCancel(
                ((RedisKeyAsyncCommands<byte[], byte[]>) c.getNativeConnection()).scan(ScanCursor.of(cursor), args),
                STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }
}
