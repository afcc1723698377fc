package dev.agentfactory.worker.writes;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent row as a batch sees it: loaded once (locked), changed in memory by each event in order,
 * written once at the end. Mutable on purpose: it lives inside one transaction on one thread.
 */
final class AgentRow {
    final UUID id;
    String slug;
    String name;
    String kind;
    String status;
    ObjectNode config;
    ObjectNode state;
    ObjectNode metadata;
    long version;
    Instant createdAt;
    String createdBy;
    Instant updatedAt;
    String updatedBy;
    Instant deletedAt;
    boolean dirty;

    AgentRow(UUID id) {
        this.id = id;
    }

    /** The version snapshot: the row's columns under their column names, as {@code to_jsonb(row)} has them. */
    ObjectNode snapshot() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("id", id.toString());
        s.put("slug", slug);
        s.put("name", name);
        s.put("kind", kind);
        s.put("status", status);
        s.set("config", config.deepCopy());
        s.set("state", state.deepCopy());
        s.set("metadata", metadata.deepCopy());
        s.put("version", version);
        s.put("created_at", createdAt.toString());
        s.put("created_by", createdBy);
        s.put("updated_at", updatedAt.toString());
        s.put("updated_by", updatedBy);
        s.put("deleted_at", deletedAt == null ? null : deletedAt.toString());
        return s;
    }
}
