package dev.agentfactory.relay.sink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;

/**
 * Keeps the gateway's Redis read model of agents and PRDs current. Each write goes through a Lua script
 * that compares versions atomically, so a redelivered or late change never overwrites a newer one.
 * A soft delete stores a tombstone (the deleted entity itself, with its version and {@code deletedAt}) for
 * {@code tombstoneTtl} and drops the slug key: the gateway answers 404/410 from it, and an older change
 * delivered again cannot bring the entity back. A hard delete (the worker never issues one) drops the keys.
 * A batch that changes agents (PRDs) also ends the epoch of the gateway's cached first list pages, before
 * the entity keys move: whoever sees the new version in Redis will not be served a list without it.
 */
public class RedisReadModelSink implements Sink {

    /** KEYS: entity key, slug key. ARGV: version, value, id, deleted flag, tombstone ttl s, slug-key prefix. */
    static final String UPSERT_IF_NEWER = """
            local cur = redis.call('GET', KEYS[1])
            if cur then
              local ok, obj = pcall(cjson.decode, cur)
              if ok and type(obj) == 'table' then
                local v = tonumber(obj['version'])
                if v and v >= tonumber(ARGV[1]) then return 0 end
                if type(obj['slug']) == 'string' then
                  local oldSlugKey = ARGV[6] .. obj['slug']
                  if oldSlugKey ~= KEYS[2] and redis.call('GET', oldSlugKey) == ARGV[3] then
                    redis.call('DEL', oldSlugKey)
                  end
                end
              end
            end
            if ARGV[4] == '1' then
              redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[5]))
              if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            else
              redis.call('SET', KEYS[1], ARGV[2])
              redis.call('SET', KEYS[2], ARGV[3])
            end
            return 1
            """;
    private static final byte[] SCRIPT = UPSERT_IF_NEWER.getBytes(StandardCharsets.UTF_8);

    private final StringRedisTemplate redis;
    private final ReadModelKeys keys;
    private final ReadModelCodec codec;
    private final Rows rows;
    private final long tombstoneTtlSeconds;

    public RedisReadModelSink(StringRedisTemplate redis, ReadModelKeys keys, ReadModelCodec codec, Rows rows,
                              long tombstoneTtlSeconds) {
        this.redis = redis;
        this.keys = keys;
        this.codec = codec;
        this.rows = rows;
        this.tombstoneTtlSeconds = tombstoneTtlSeconds;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void apply(List<RowChange> changes) {
        // only the newest change per entity matters; the script guards against anything older in Redis
        Map<String, RowChange> latest = new LinkedHashMap<>();
        for (RowChange c : changes) {
            if (c.table().equals("agents") || c.table().equals("prds")) {
                latest.put(c.table() + ":" + c.row().get("id"), c);
            }
        }
        if (latest.isEmpty()) {
            return;
        }
        List<byte[][]> calls = new ArrayList<>(latest.size());
        List<byte[][]> hardDeletes = new ArrayList<>();
        List<byte[]> endedEpochs = new ArrayList<>(2);
        if (latest.values().stream().anyMatch(c -> c.table().equals("agents"))) {
            endedEpochs.add(keys.agentListEpoch().getBytes(StandardCharsets.UTF_8));
        }
        if (latest.values().stream().anyMatch(c -> c.table().equals("prds"))) {
            endedEpochs.add(keys.prdListEpoch().getBytes(StandardCharsets.UTF_8));
        }
        for (RowChange c : latest.values()) {
            if (c.isDelete()) {
                hardDeletes.add(entityKeys(c));
            } else {
                calls.add(scriptArgs(c));
            }
        }
        redis.executePipelined((RedisCallback<Object>) connection -> {
            endedEpochs.forEach(k -> connection.keyCommands().del(k));
            for (byte[][] args : calls) {
                connection.scriptingCommands().eval(SCRIPT, ReturnType.INTEGER, 2, args);
            }
            hardDeletes.forEach(k -> connection.keyCommands().del(k));
            return null;
        });
    }

    private byte[][] scriptArgs(RowChange c) {
        Map<String, Object> r = c.after();
        boolean agent = c.table().equals("agents");
        UUID id = Rows.uuid(r, "id");
        String slug = Rows.str(r, "slug");
        String value = agent ? codec.write(rows.agent(r)) : codec.write(rows.prd(r));
        String slugPrefix = agent ? keys.agentSlug("") : keys.prdSlug("");
        return bytes(agent ? keys.agent(id) : keys.prd(id), slugPrefix + slug,
                Long.toString(Rows.num(r, "version")), value, id.toString(),
                r.get("deleted_at") != null ? "1" : "0", Long.toString(tombstoneTtlSeconds), slugPrefix);
    }

    private byte[][] entityKeys(RowChange c) {
        Map<String, Object> r = c.before();
        UUID id = Rows.uuid(r, "id");
        boolean agent = c.table().equals("agents");
        return bytes(agent ? keys.agent(id) : keys.prd(id),
                agent ? keys.agentSlug(Rows.str(r, "slug")) : keys.prdSlug(Rows.str(r, "slug")));
    }

    private static byte[][] bytes(String... values) {
        byte[][] out = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

}
