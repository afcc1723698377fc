package dev.agentfactory.store.cache;

import java.util.UUID;

/**
 * The one way an entity gets into the Redis read model, for the CDC relay (every committed change) and the
 * gateway (cache-aside after a database read): a Lua script that compares versions atomically, so a
 * redelivered change, a late refresh or a slow read never puts an older version over a newer one. A
 * deleted entity is stored as a tombstone (itself, with {@code deletedAt}) for a while and its slug key is
 * dropped, so an older change delivered again cannot bring it back; a renamed slug's old key is dropped.
 * A purged (hard-deleted) entity is stored the same way as a payload-free marker
 * ({@link ReadModelCodec#purged}) holding the deleted row's last version, which refuses any late write of
 * that version or older. Each caller runs the script with its own Redis API (one call, or a pipeline).
 *
 * <p>Re-creation after a purge: an entity with the purged id starts again at version 1, below the marker's
 * version, so versions alone would keep the new entity out of the cache for the marker's lifetime. The
 * relay's writes carry the change's LSN, and over a purge marker the relay is ordered by LSN, not version:
 * a change committed after the purge replaces the marker, a redelivered older one does not. The gateway's
 * cache-aside writes have no commit order: a marker refuses them by version. When the marker is replaced it
 * leaves a floor key, {@code <purged version>:<purge LSN>}, for as long as the marker had left to live (at
 * least the caller's TTL): a slow read of the old row (whose versions never exceed the purged one) cannot
 * overwrite the re-created entity, and neither can the relay redelivering, after a crash, a change committed
 * up to the purge (the purge itself included), whichever batches the replay comes in.
 */
public final class VersionGuardedPut {

    /** What the written value is: a live entity, a soft-deleted tombstone, or a purge marker. */
    public enum Entry {
        LIVE, DELETED, PURGED
    }

    // The top-level version is decoded (not pattern-matched): config or metadata may hold a "version" too.
    // An older write leaves a newer entry alone, only extending its expiry when it has a shorter one (a
    // cache-aside entry), never giving one to an entry the relay keeps for good nor shortening a tombstone.
    // LSNs are compared as fixed-width hex strings: exact, where Lua's doubles are not beyond 2^53. A floor
    // without an LSN (or the version-only form) still guards cache-aside writes.
    public static final String SCRIPT = """
            local incoming = tonumber(ARGV[1])
            local floorVersion, floorLsn
            local floor = redis.call('GET', KEYS[3])
            if floor then
              local fv, fl = string.match(floor, '^(%d+):?(%x*)$')
              floorVersion = tonumber(fv)
              if fl and fl ~= '' then floorLsn = fl end
            end
            if ARGV[8] == '' then
              if floorVersion and floorVersion >= incoming then return 0 end
            elseif floorLsn and ARGV[8] <= floorLsn then
              return 0
            end
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local ok, obj = pcall(cjson.decode, cur)
              if ok and type(obj) == 'table' then
                local v = tonumber(obj['version'])
                local purged = obj['purged'] == true
                local newer
                if purged and ARGV[8] ~= '' then
                  newer = ARGV[8] > tostring(obj['purgedLsn'])
                elseif ARGV[4] == '2' then
                  newer = not v or v <= incoming
                else
                  newer = not v or v < incoming
                end
                if not newer then
                  local pttl = redis.call('PTTL', KEYS[1])
                  if tonumber(ARGV[5]) > 0 and pttl > 0 and pttl < tonumber(ARGV[5]) then
                    redis.call('PEXPIRE', KEYS[1], ARGV[5])
                  end
                  return 0
                end
                if purged and v then
                  local fv = floorVersion
                  if not fv or fv < v then fv = v end
                  local fl = type(obj['purgedLsn']) == 'string' and obj['purgedLsn'] or ''
                  if floorLsn and floorLsn > fl then fl = floorLsn end
                  local ttl = math.max(tonumber(ARGV[6]), redis.call('PTTL', KEYS[1]))
                  redis.call('SET', KEYS[3], string.format('%d:%s', fv, fl), 'PX', ttl)
                end
                if type(obj['slug']) == 'string' then
                  local oldSlugKey = ARGV[7] .. obj['slug']
                  if oldSlugKey ~= KEYS[2] and redis.call('GET', oldSlugKey) == ARGV[3] then
                    redis.call('DEL', oldSlugKey)
                  end
                end
              end
            end
            if ARGV[4] ~= '0' then
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

    /** Invocations have three keys: {@code call(...)[0..2]}; the rest are the script's arguments. */
    public static final int KEYS = 3;

    private VersionGuardedPut() {
    }

    /**
     * A cache-aside write (the gateway, after a database read): no commit order, versions decide.
     *
     * @param json      the entity as {@link ReadModelCodec} writes it
     * @param deleted   the entity is soft-deleted: stored as a tombstone, its slug key dropped
     * @param ttlMillis expiry of the entry (live or tombstone) and its slug key
     */
    public static String[] cacheAside(ReadModelKeys keys, boolean agent, UUID id, String slug, long version,
                                      String json, boolean deleted, long ttlMillis) {
        return call(keys, agent, id, slug, version, json, deleted ? Entry.DELETED : Entry.LIVE, "", ttlMillis,
                ttlMillis);
    }

    /**
     * A write of a committed change (the relay): live entries are kept until replaced, tombstones and purge
     * markers for {@code tombstoneMillis}; {@code lsn} orders it against a purge marker.
     *
     * @param json the entity as {@link ReadModelCodec} writes it, or its {@link ReadModelCodec#purged} marker
     */
    public static String[] committed(ReadModelKeys keys, boolean agent, UUID id, String slug, long version,
                                     String json, Entry entry, long lsn, long tombstoneMillis) {
        return call(keys, agent, id, slug, version, json, entry, ReadModelCodec.lsn(lsn), 0, tombstoneMillis);
    }

    /** {entity key, slug key, floor key, version, json, id, entry, ttl ms, tombstone ttl ms, slug prefix, lsn}. */
    private static String[] call(ReadModelKeys keys, boolean agent, UUID id, String slug, long version, String json,
                                 Entry entry, String lsn, long ttlMillis, long tombstoneMillis) {
        String slugPrefix = agent ? keys.agentSlug("") : keys.prdSlug("");
        String entityKey = agent ? keys.agent(id) : keys.prd(id);
        return new String[] {entityKey, slugPrefix + slug, keys.purgeFloor(entityKey), Long.toString(version), json,
                id.toString(), Integer.toString(entry.ordinal()), Long.toString(ttlMillis),
                Long.toString(tombstoneMillis), slugPrefix, lsn};
    }
}
