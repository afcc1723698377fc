package dev.agentfactory.store.agent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.store.StoreJson;

/**
 * An agent as a version snapshot: its row under the column names, as {@code to_jsonb(row)} writes it,
 * which is also the shape the worker stores. Reading accepts any ISO offset in timestamps.
 */
public final class AgentSnapshots {

    private AgentSnapshots() {
    }

    public static String toJson(Agent a) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", a.id().toString());
        s.put("slug", a.slug());
        s.put("name", a.name());
        s.put("kind", a.kind());
        s.put("status", a.status().dbValue());
        s.put("config", a.config());
        s.put("state", a.state());
        s.put("metadata", a.metadata());
        s.put("version", a.version());
        s.put("created_at", StoreJson.text(a.createdAt()));
        s.put("created_by", a.createdBy());
        s.put("updated_at", StoreJson.text(a.updatedAt()));
        s.put("updated_by", a.updatedBy());
        s.put("deleted_at", StoreJson.text(a.deletedAt()));
        return StoreJson.write(s);
    }

    public static Agent fromJson(String json) {
        Map<String, Object> s = StoreJson.read(json);
        return new Agent(UUID.fromString((String) s.get("id")), (String) s.get("slug"), (String) s.get("name"),
                (String) s.get("kind"), AgentStatus.fromDb((String) s.get("status")), StoreJson.object(s.get("config")),
                StoreJson.object(s.get("state")), StoreJson.object(s.get("metadata")),
                ((Number) s.get("version")).longValue(), StoreJson.parseInstant(s.get("created_at")),
                (String) s.get("created_by"), StoreJson.parseInstant(s.get("updated_at")), (String) s.get("updated_by"),
                StoreJson.parseInstant(s.get("deleted_at")));
    }
}
