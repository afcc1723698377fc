package dev.agentfactory.store.cache;

import java.util.UUID;

/**
 * The one way an entity gets into the Redis read model, for the CDC relay (every committed change) and the
 * gateway (cache-aside after a database read): a Lua script that compares versions atomically, so a
 * redelivered change, a late refresh or a slow read never puts an older version over a newer one. A
 * deleted entity is stored as a tombstone (itself, with {@code deletedAt}) for a while and its slug key is
 * dropped, so an older change delivered again cannot bring it back; a renamed slug's old key is dropped.
 * Each caller runs the script with its own Redis API (one call, or a pipeline of them).
 */
public final class VersionGuardedPut {

    // The top-level version is decoded (not pattern-matched): config or metadata may hold a "version" too.
    // An older write leaves a newer entry alone, only extending its expiry when it has one (a cache-aside
    // entry), never giving one to an entry the relay keeps for good.
    public static final String SCRIPT = """
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local ok, obj = pcall(cjson.decode, cur)
              if ok and type(obj) == 'table' then
                local v = tonumber(obj['version'])
                if v and v >= tonumber(ARGV[1]) then
                  if tonumber(ARGV[5]) > 0 and redis.call('PTTL', KEYS[1]) > 0 then
                    redis.call('PEXPIRE', KEYS[1], ARGV[5])
                  end
                  return 0
                end
                if type(obj['slug']) == 'string' then
                  local oldSlugKey = ARGV[7] .. obj['slug']
                  if oldSlugKey ~= KEYS[2] and redis.call('GET', oldSlugKey) == ARGV[3] then
                    redis.call('DEL', oldSlugKey)
                  end
                end
              end
            end
            if ARGV[4] == '1' then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[6])
              if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            elseif tonumber(ARGV[5]) > 0 then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[5])
              redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[5])
            else
              redis.call('SET', KEYS[1], ARGV[2])
              redis.call('SET', KEYS[2], ARGV[3])
            end
            return 1""";

    private VersionGuardedPut() {
    }

    /**
     * One invocation of {@link #SCRIPT}: its two keys, then its arguments.
     *
     * @param agent       an agent (else a PRD)
     * @param json        the entity as {@link ReadModelCodec} writes it
     * @param deleted     the entity is soft-deleted: stored as a tombstone for {@code tombstoneMillis}
     * @param ttlMillis   expiry of a live entry and its slug key; 0 keeps them until replaced
     * @return {entity key, slug key, version, json, id, deleted flag, ttl ms, tombstone ttl ms, slug-key prefix}
     */
    public static String[] call(ReadModelKeys keys, boolean agent, UUID id, String slug, long version, String json,
                                boolean deleted, long ttlMillis, long tombstoneMillis) {
        String slugPrefix = agent ? keys.agentSlug("") : keys.prdSlug("");
        return new String[] {agent ? keys.agent(id) : keys.prd(id), slugPrefix + slug, Long.toString(version), json,
                id.toString(), deleted ? "1" : "0", Long.toString(ttlMillis), Long.toString(tombstoneMillis),
                slugPrefix};
    }

    /** Invocations have two keys: {@code call(...)[0..1]}; the rest are the script's arguments. */
    public static final int KEYS = 2;
}
