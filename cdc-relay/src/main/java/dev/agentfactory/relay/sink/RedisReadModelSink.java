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
import dev.agentfactory.store.cache.VersionGuardedPut;

/**
 * Keeps the gateway's Redis read model of agents and PRDs current. Each write goes through the script the
 * gateway uses too ({@link VersionGuardedPut}), which compares versions atomically, so a redelivered or late
 * change never overwrites a newer one; entries written here do not expire (tombstones do).
 * A soft delete stores a tombstone (the deleted entity itself, with its version and {@code deletedAt}) for
 * {@code tombstoneTtl} and drops the slug key: the gateway answers 404/410 from it, and an older change
 * delivered again cannot bring the entity back. A hard delete (the worker never issues one) drops the keys.
 * A batch that changes agents (PRDs) also ends the epoch of the gateway's cached first list pages, before
 * the entity keys move: whoever sees the new version in Redis will not be served a list without it.
 */
public class RedisReadModelSink implements Sink {

    private static final byte[] SCRIPT = VersionGuardedPut.SCRIPT.getBytes(StandardCharsets.UTF_8);

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
                connection.scriptingCommands().eval(SCRIPT, ReturnType.INTEGER, VersionGuardedPut.KEYS, args);
            }
            hardDeletes.forEach(k -> connection.keyCommands().del(k));
            return null;
        });
    }

    private byte[][] scriptArgs(RowChange c) {
        Map<String, Object> r = c.after();
        boolean agent = c.table().equals("agents");
        String value = agent ? codec.write(rows.agent(r)) : codec.write(rows.prd(r));
        return bytes(VersionGuardedPut.call(keys, agent, Rows.uuid(r, "id"), Rows.str(r, "slug"),
                Rows.num(r, "version"), value, r.get("deleted_at") != null, 0, tombstoneTtlSeconds * 1000));
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
