package dev.agentfactory.store.cache;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The Redis key scheme of the cached read model, shared by the CDC relay (which writes it) and the
 * gateway (which reads it). Values are the JSON of {@code Agent} / {@code Prd} from {@link ReadModelCodec}, or
 * a purged entity's marker;
 * slug keys hold the entity id. A prefix lets several environments share one Redis.
 * The list-epoch keys name the current generation of the gateway's cached first list pages: whoever sees
 * a committed change of agents (or PRDs) deletes the key, and the next list read starts a new epoch, so a
 * page computed before the change is never served after it.
 */
public record ReadModelKeys(String prefix) {

    public static final ReadModelKeys DEFAULT = new ReadModelKeys("factory");

    // What follows "<prefix>:" in a read-model key. Whole-key, not a family's start: another environment's prefix
    // may extend this one with a family name ("factory:prd"), and its keys must not count as this one's.
    private static final Pattern READ_MODEL_KEY = Pattern.compile("(?:agent|prd):"
            + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?::purge-floor)?"
            + "|(?:agent|prd)-slug:[^:]+|(?:agent|prd)-list:epoch");

    public String agent(UUID id) {
        return prefix + ":agent:" + id;
    }

    public String agentSlug(String slug) {
        return prefix + ":agent-slug:" + slug;
    }

    public String prd(UUID id) {
        return prefix + ":prd:" + id;
    }

    public String prdSlug(String slug) {
        return prefix + ":prd-slug:" + slug;
    }

    /**
     * Beside an entity key whose purge marker was replaced by a re-created entity: the purged version, which
     * cache-aside writes must not reach or go below, and the purge's LSN, which the relay's writes must pass
     * (see {@link VersionGuardedPut}).
     */
    public String purgeFloor(String entityKey) {
        return entityKey + ":purge-floor";
    }

    public String agentListEpoch() {
        return prefix + ":agent-list:epoch";
    }

    public String prdListEpoch() {
        return prefix + ":prd-list:epoch";
    }

    /**
     * Where the relay records which Redis server its read model was written to (that server's {@code run_id} and
     * replication ID): a Redis that restarted, or another one after a failover, may hold older values than it
     * acknowledged, and the relay drops the read model when it finds another server here.
     */
    public String server() {
        return prefix + ":read-model:server";
    }

    /** A SCAN pattern for every key under this prefix; {@link #inReadModel} tells the read model's apart. */
    public String scanPattern() {
        return glob(prefix) + ":*";
    }

    /**
     * Whether a key under this prefix belongs to the read model (an entity with its purge floor, a slug, a list
     * epoch), as opposed to the gateway's idempotency records or the {@link #server()} record.
     */
    public boolean inReadModel(String key) {
        return key.length() > prefix.length() && key.startsWith(prefix) && key.charAt(prefix.length()) == ':'
                && READ_MODEL_KEY.matcher(key).region(prefix.length() + 1, key.length()).matches();
    }

    private static String glob(String literal) {
        StringBuilder out = new StringBuilder(literal.length() + 8);
        for (char c : literal.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
