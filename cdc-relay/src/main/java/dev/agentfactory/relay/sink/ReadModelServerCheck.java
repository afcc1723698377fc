package dev.agentfactory.relay.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.agentfactory.store.cache.ReadModelKeys;

/**
 * Drops the read model when Redis is not the server process it was written to. A Redis that restarted from
 * its RDB or AOF file, or a replica promoted by a failover, may hold older values than the relay wrote and
 * was acknowledged; the version guard only compares with what Redis holds and relay entries do not expire, so
 * an entity that does not change again would be served at the older version for ever. The server's
 * {@code run_id} is new at every start, so the relay records it beside the read model
 * ({@link ReadModelKeys#server()}) and, when Redis reports another one, deletes every read-model key of its
 * prefix before it writes: reads then load the database. The gateway's idempotency records are kept (a retry
 * keeps its name-based eventId, so the worker still answers it once).
 */
final class ReadModelServerCheck {

    private static final Logger log = LoggerFactory.getLogger(ReadModelServerCheck.class);
    private static final int SCAN_BATCH = 1000;

    private final StringRedisTemplate redis;
    private final ReadModelKeys keys;
    private String confirmed; // the run_id this relay last found recorded, or recorded itself

    ReadModelServerCheck(StringRedisTemplate redis, ReadModelKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * Checks the server and drops the read model if it changed; returns how many keys were deleted. The record
     * is written only once every key is gone, so a check interrupted half-way (the sink's timeout) drops the
     * rest on its retry.
     */
    long check() {
        String runId = runId();
        if (runId.equals(confirmed)) {
            return 0;
        }
        String recorded = redis.opsForValue().get(keys.server());
        long dropped = 0;
        if (!runId.equals(recorded)) {
            dropped = drop();
            redis.opsForValue().set(keys.server(), runId);
            log.warn("Redis server {} is not the one the read model under '{}' was written to ({}): dropped {} keys;"
                    + " reads load the database until the cache fills again", runId, keys.prefix(),
                    recorded == null ? "none recorded" : recorded, dropped);
        }
        confirmed = runId;
        return dropped;
    }

    private String runId() {
        Properties info = redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("server"));
        String runId = info == null ? null : info.getProperty("run_id");
        if (runId == null || runId.isBlank()) {
            throw new IllegalStateException("Redis INFO server reported no run_id: cannot tell whether the read"
                    + " model under '" + keys.prefix() + "' is the one this relay wrote");
        }
        return runId;
    }

    private long drop() {
        long dropped = 0;
        List<String> batch = new ArrayList<>(SCAN_BATCH);
        ScanOptions scan = ScanOptions.scanOptions().match(keys.scanPattern()).count(SCAN_BATCH).build();
        try (Cursor<String> cursor = redis.scan(scan)) {
            while (cursor.hasNext()) {
                String key = cursor.next();
                if (keys.inReadModel(key)) {
                    batch.add(key);
                }
                if (batch.size() == SCAN_BATCH) {
                    dropped += unlink(batch);
                }
            }
        }
        return dropped + unlink(batch);
    }

    private long unlink(List<String> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        Long n = redis.unlink(batch);
        batch.clear();
        return n == null ? 0 : n;
    }
}
