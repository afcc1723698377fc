package dev.agentfactory.ops;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

/**
 * Hand-written audit events of the relay's contract ({@code factory.audit.v1}, cdc-relay/README.md) and the row
 * images they carry, for the replay tests. Rows are created at {@link #CREATED} by actor "it".
 */
public final class AuditEvents {

    public static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AuditEvents() {
    }

    /**
     * An event of one row change. Its eventId (the worker's, null for links as on the relay's stream) is derived
     * from the change and its lsn, so the same change redelivered carries the same one.
     */
    public static Map<String, Object> event(String op, String entity, UUID id, Long version, String table,
                                            Map<String, Object> before, Map<String, Object> after, long lsn,
                                            Instant at) {
        Map<String, Object> e = new HashMap<>();
        e.put("schema", "factory.audit.v1");
        e.put("op", op);
        e.put("entity", entity);
        e.put("id", id.toString());
        e.put("version", version);
        e.put("table", table);
        e.put("before", before);
        e.put("after", after);
        e.put("actor", "it");
        e.put("eventId", table.equals("prd_agents") ? null
                : UUID.nameUUIDFromBytes((id + ":" + op + ":" + version + ":" + table + ":" + lsn).getBytes()).toString());
        e.put("txId", lsn);
        e.put("lsn", lsn);
        e.put("commitTime", at.toString());
        return e;
    }

    public static String json(Map<String, Object> event) {
        return JSON.writeValueAsString(event);
    }

    /** An agent's row at {@code version}, named "agent v{version}", last updated at {@code at}. */
    public static Map<String, Object> agentRow(UUID id, long version, Instant at) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id.toString());
        row.put("slug", "a-" + id);
        row.put("name", "agent v" + version);
        row.put("kind", "planner");
        row.put("status", "active");
        row.put("config", Map.of("model", "m1"));
        row.put("state", Map.of("step", version));
        row.put("metadata", Map.of());
        row.put("version", version);
        row.put("created_at", CREATED.toString());
        row.put("created_by", "it");
        row.put("updated_at", at.toString());
        row.put("updated_by", "it");
        row.put("deleted_at", null);
        return row;
    }

    public static Map<String, Object> prdRow(UUID id, long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id.toString());
        row.put("slug", "p-" + id);
        row.put("title", "prd");
        row.put("body", "# PRD");
        row.put("status", "draft");
        row.put("metadata", Map.of());
        row.put("owner", "it");
        row.put("version", version);
        row.put("created_at", CREATED.toString());
        row.put("created_by", "it");
        row.put("updated_at", CREATED.toString());
        row.put("updated_by", "it");
        row.put("deleted_at", null);
        return row;
    }

    public static Map<String, Object> history(UUID agent, long seq, Instant at) {
        return Map.of("seq", seq, "agent_id", agent.toString(), "kind", "learning", "entry", Map.of("step", seq),
                "recorded_at", at.toString(), "actor", "it", "event_id", UUID.randomUUID().toString());
    }

    public static Map<String, Object> link(UUID prd, UUID agent, Instant at) {
        return Map.of("prd_id", prd.toString(), "agent_id", agent.toString(), "role", "implementer",
                "linked_at", at.toString(), "linked_by", "it");
    }
}
