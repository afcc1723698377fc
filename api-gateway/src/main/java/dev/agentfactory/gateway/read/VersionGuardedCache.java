package dev.agentfactory.gateway.read;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.store.cache.ReadModelKeys;
import dev.agentfactory.store.cache.VersionGuardedPut;

/**
 * Writes a cached entity only when it is newer than what Redis holds, atomically, with the script the CDC
 * relay uses too ({@link VersionGuardedPut}), so a slow database read or a late refresh can never put an
 * older version back over a newer one. Entries written here expire after the cache TTL.
 */
@Component
public class VersionGuardedCache {

    private static final RedisScript<Long> SCRIPT = RedisScript.of(VersionGuardedPut.SCRIPT, Long.class);

    private final StringRedisTemplate redis;
    private final ReadModelKeys keys;
    private final long ttlMillis;

    VersionGuardedCache(StringRedisTemplate redis, GatewayProperties props) {
        this.redis = redis;
        this.keys = new ReadModelKeys(props.cache().prefix());
        this.ttlMillis = props.cache().ttl().toMillis();
    }

    public ReadModelKeys keys() {
        return keys;
    }

    /**
     * Stores {@code json} (of version {@code version}) unless Redis holds that version or a newer one; a
     * deleted entity goes in as a tombstone and its slug key is dropped. A purge marker refuses the purged
     * row's versions, so a read that raced a hard delete cannot cache the row again.
     */
    public boolean putIfNewer(boolean agent, UUID id, String slug, String json, long version, boolean deleted) {
        String[] call = VersionGuardedPut.cacheAside(keys, agent, id, slug, version, json, deleted, ttlMillis);
        Long written = redis.execute(SCRIPT, List.of(call).subList(0, VersionGuardedPut.KEYS),
                (Object[]) Arrays.copyOfRange(call, VersionGuardedPut.KEYS, call.length));
        return written != null && written == 1L;
    }

    public String get(String key) {
        return redis.opsForValue().get(key);
    }

    Duration ttl() {
        return Duration.ofMillis(ttlMillis);
    }
}
