package dev.agentfactory.relay.sink;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdStatus;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debezium row maps to the domain records and to plain JSON-ready maps. jsonb columns arrive as JSON
 * text and become nested objects, so the read model and the audit events carry JSON, not strings of JSON.
 */
public final class Rows {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final Set<String> JSON_COLUMNS = Set.of("config", "state", "metadata", "snapshot", "entry",
            "details");

    private final JsonMapper json;

    public Rows(JsonMapper json) {
        this.json = json;
    }

    public Agent agent(Map<String, Object> r) {
        return new Agent(uuid(r, "id"), str(r, "slug"), str(r, "name"), str(r, "kind"),
                AgentStatus.fromDb(str(r, "status")), object(r, "config"), object(r, "state"), object(r, "metadata"),
                num(r, "version"), instant(r, "created_at"), str(r, "created_by"), instant(r, "updated_at"),
                str(r, "updated_by"), instant(r, "deleted_at"));
    }

    public Prd prd(Map<String, Object> r) {
        return new Prd(uuid(r, "id"), str(r, "slug"), str(r, "title"), str(r, "body"),
                PrdStatus.fromDb(str(r, "status")), object(r, "metadata"), str(r, "owner"), num(r, "version"),
                instant(r, "created_at"), str(r, "created_by"), instant(r, "updated_at"), str(r, "updated_by"),
                instant(r, "deleted_at"));
    }

    /** The row with its JSON columns parsed, for audit events; null stays null. */
    public Map<String, Object> plain(Map<String, Object> r) {
        if (r == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        r.forEach((k, v) -> out.put(k, JSON_COLUMNS.contains(k) && v instanceof String s ? json.readValue(s, Object.class) : v));
        return out;
    }

    public Map<String, Object> object(Map<String, Object> r, String column) {
        Object v = r.get(column);
        return v == null ? Map.of() : json.readValue((String) v, MAP);
    }

    public static String str(Map<String, Object> r, String column) {
        Object v = r.get(column);
        return v == null ? null : v.toString();
    }

    public static UUID uuid(Map<String, Object> r, String column) {
        Object v = r.get(column);
        return v == null ? null : UUID.fromString(v.toString());
    }

    public static long num(Map<String, Object> r, String column) {
        return ((Number) r.get(column)).longValue();
    }

    public static Long optNum(Map<String, Object> r, String column) {
        Object v = r.get(column);
        return v == null ? null : ((Number) v).longValue();
    }

    public static Instant instant(Map<String, Object> r, String column) {
        Object v = r.get(column);
        return v == null ? null : Instant.parse(v.toString());
    }
}
