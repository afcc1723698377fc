package dev.agentfactory.gateway.read;

import java.time.Duration;
import java.util.List;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.store.cache.ReadModelKeys;

/**
 * Writes a cached entity only when it is newer than what Redis holds, atomically (one Lua script), so a
 * slow database read or a late refresh can never put an older version back over a newer one. The CDC
 * relay guards its writes the same way; both should share one implementation of this script.
 */
@Component
public class VersionGuardedCache {

    // KEYS[1] entity key, KEYS[2] slug key; ARGV[1] JSON, ARGV[2] version, ARGV[3] ttl ms, ARGV[4] id.
    // The top-level version is decoded (not pattern-matched): config or metadata may hold a "version" too.
    static final String PUT_IF_NEWER = """
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local ok, doc = pcall(cjson.decode, cur)
              local v = ok and type(doc) == 'table' and tonumber(doc['version']) or nil
              if v and v >= tonumber(ARGV[2]) then
                redis.call('PEXPIRE', KEYS[1], ARGV[3])
                return 0
              end
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
            redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
            return 1""";

    private static final RedisScript<Long> SCRIPT = RedisScript.of(PUT_IF_NEWER, Long.class);

    private final StringRedisTemplate redis;
    private final ReadModelKeys keys;
    private final String ttlMillis;

    VersionGuardedCache(StringRedisTemplate redis, GatewayProperties props) {
        this.redis = redis;
        this.keys = new ReadModelKeys(props.cache().prefix());
        this.ttlMillis = Long.toString(props.cache().ttl().toMillis());
    }

    public ReadModelKeys keys() {
        return keys;
    }

    /** Stores {@code json} (of version {@code version}) unless Redis holds that version or a newer one. */
    public boolean putIfNewer(String key, String slugKey, String id, String json, long version) {
        Long written = redis.execute(SCRIPT, List.of(key, slugKey), json, Long.toString(version), ttlMillis, id);
        return written != null && written == 1L;
    }

    public String get(String key) {
        return redis.opsForValue().get(key);
    }

    Duration ttl() {
        return Duration.ofMillis(Long.parseLong(ttlMillis));
    }
}
