package dev.agentfactory.store.prd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.store.StoreJson;

/** A PRD as a version snapshot: its row under the column names, as {@code to_jsonb(row)} writes it. */
public final class PrdSnapshots {

    private PrdSnapshots() {
    }

    public static String toJson(Prd p) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", p.id().toString());
        s.put("slug", p.slug());
        s.put("title", p.title());
        s.put("body", p.body());
        s.put("status", p.status().dbValue());
        s.put("metadata", p.metadata());
        s.put("owner", p.owner());
        s.put("version", p.version());
        s.put("created_at", StoreJson.text(p.createdAt()));
        s.put("created_by", p.createdBy());
        s.put("updated_at", StoreJson.text(p.updatedAt()));
        s.put("updated_by", p.updatedBy());
        s.put("deleted_at", StoreJson.text(p.deletedAt()));
        return StoreJson.write(s);
    }

    public static Prd fromJson(String json) {
        Map<String, Object> s = StoreJson.read(json);
        return new Prd(UUID.fromString((String) s.get("id")), (String) s.get("slug"), (String) s.get("title"),
                (String) s.get("body"), PrdStatus.fromDb((String) s.get("status")), StoreJson.object(s.get("metadata")),
                (String) s.get("owner"), ((Number) s.get("version")).longValue(),
                StoreJson.parseInstant(s.get("created_at")), (String) s.get("created_by"),
                StoreJson.parseInstant(s.get("updated_at")), (String) s.get("updated_by"),
                StoreJson.parseInstant(s.get("deleted_at")));
    }
}
