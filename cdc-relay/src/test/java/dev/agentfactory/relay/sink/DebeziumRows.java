package dev.agentfactory.relay.sink;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Row images of the sink tests, shaped as Debezium gives them: uuid, jsonb and timestamptz as strings, bigint as Long. */
final class DebeziumRows {

    private DebeziumRows() {
    }

    /** A live agents row; {@code version} below 10 (it is the seconds of {@code updated_at}). */
    static Map<String, Object> agent(UUID id, String slug, long version, String name) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id.toString());
        r.put("slug", slug);
        r.put("name", name);
        r.put("kind", "planner");
        r.put("status", "active");
        r.put("config", "{\"model\": \"m\"}");
        r.put("state", "{}");
        r.put("metadata", "{}");
        r.put("version", version);
        r.put("created_at", "2025-01-01T00:00:00Z");
        r.put("created_by", "it");
        r.put("updated_at", "2025-01-01T00:00:0" + version + ".123456Z");
        r.put("updated_by", "it");
        r.put("deleted_at", null);
        return r;
    }
}
