package dev.agentfactory.store.legacy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.agent.HistoryEntry;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdStatus;

/**
 * Reads the records of a legacy snapshot (format in store/README.md) into domain values. Every problem
 * is an {@link IllegalArgumentException} whose message names the field, so the importer can report the
 * record's key and carry on.
 */
final class LegacyRecords {

    static final String ACTOR = "legacy-import";
    private static final JsonMapper JSON = ExactJson.mapper();

    private LegacyRecords() {
    }

    record LegacyAgent(Agent agent, List<LegacyHistory> history) {
    }

    record LegacyHistory(int index, HistoryEntry.Kind kind, Map<String, Object> entry, Instant recordedAt) {
    }

    record LegacyLink(UUID agentId, String role) {
    }

    record LegacyPrd(Prd prd, List<LegacyLink> agents) {
    }

    static LegacyAgent agent(String key, JsonNode n) {
        UUID id = id(key, n);
        Instant created = instant(n, "created_at", null);
        Instant updated = instant(n, "updated_at", created);
        String by = text(n, "created_by", ACTOR);
        Agent agent = new Agent(id, required(n, "slug"), required(n, "name"), required(n, "kind"),
                oneOf(AgentStatus.class, "status", text(n, "status", "active")), object(n, "config"), object(n, "state"),
                object(n, "metadata"), 1, created, by, updated, text(n, "updated_by", by), null);
        List<LegacyHistory> history = new ArrayList<>();
        JsonNode entries = array(n, "history");
        for (int i = 0; i < entries.size(); i++) {
            JsonNode h = entries.get(i);
            history.add(new LegacyHistory(i, oneOf(HistoryEntry.Kind.class, "history kind", required(h, "kind")), object(h, "entry"),
                    instant(h, "recorded_at", updated)));
        }
        return new LegacyAgent(agent, history);
    }

    static LegacyPrd prd(String key, JsonNode n) {
        UUID id = id(key, n);
        Instant created = instant(n, "created_at", null);
        Instant updated = instant(n, "updated_at", created);
        String by = text(n, "created_by", ACTOR);
        Prd prd = new Prd(id, required(n, "slug"), required(n, "title"), text(n, "body", ""),
                oneOf(PrdStatus.class, "status", text(n, "status", "draft")), object(n, "metadata"), text(n, "owner", null), 1,
                created, by, updated, text(n, "updated_by", by), null);
        List<LegacyLink> links = new ArrayList<>();
        for (JsonNode l : array(n, "agents")) {
            links.add(new LegacyLink(uuid("agent_id", required(l, "agent_id")), text(l, "role", "implementer")));
        }
        return new LegacyPrd(prd, links);
    }

    /** The eventId of one imported fact: the same on every run, so replays are recognisable. */
    static UUID eventId(String... parts) {
        return UUID.nameUUIDFromBytes(("legacy-import:" + String.join(":", parts)).getBytes(StandardCharsets.UTF_8));
    }

    private static <E extends Enum<E>> E oneOf(Class<E> type, String field, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException(field + " '" + value + "' is not one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }

    private static UUID uuid(String what, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a UUID");
        }
    }

    private static UUID id(String key, JsonNode n) {
        UUID id = uuid("key", key);
        if (n.hasNonNull("id") && !uuid("id", n.get("id").asString()).equals(id)) {
            throw new IllegalArgumentException("id " + n.get("id").asString() + " differs from its key");
        }
        return id;
    }

    private static String required(JsonNode n, String field) {
        if (!n.hasNonNull(field) || n.get(field).asString().isBlank()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return n.get(field).asString();
    }

    private static String text(JsonNode n, String field, String fallback) {
        return n.hasNonNull(field) ? n.get(field).asString() : fallback;
    }

    private static Instant instant(JsonNode n, String field, Instant fallback) {
        if (!n.hasNonNull(field)) {
            if (fallback == null) {
                throw new IllegalArgumentException("missing " + field);
            }
            return fallback;
        }
        try {
            return StoreJson.parseInstant(n.get(field).asString());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(field + " is not an ISO-8601 timestamp with offset: " + n.get(field));
        }
    }

    /**
     * A list field, empty if absent or null. Anything else is refused: Jackson's nodes answer size() and iteration
     * for every type, so an object ({@code "history": {"0": ...}}) or a string would otherwise import nothing, or
     * fail with a NullPointerException that ended the whole import.
     */
    private static JsonNode array(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return v;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(field + " must be a JSON array, is " + kind(v));
        }
        return v;
    }

    /** How a value's JSON type reads in a report: "an object", "a string"... */
    static String kind(JsonNode v) {
        String type = v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        return (type.startsWith("o") || type.startsWith("a") ? "an " : "a ") + type;
    }

    private static Map<String, Object> object(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException(field + " must be a JSON object");
        }
        return StoreJson.read(JSON.writeValueAsString(v));
    }
}
