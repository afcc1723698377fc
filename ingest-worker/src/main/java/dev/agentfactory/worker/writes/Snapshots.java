package dev.agentfactory.worker.writes;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON text in and out of jsonb columns, with one shared mapper. */
final class Snapshots {

    private final JsonMapper mapper = JsonMapper.builder().build();

    String json(JsonNode node) {
        return mapper.writeValueAsString(node);
    }

    /** The bookkeeping columns every entity snapshot ends with, under their column names. */
    static void putBookkeeping(ObjectNode s, long version, java.time.Instant createdAt, String createdBy,
                               java.time.Instant updatedAt, String updatedBy, java.time.Instant deletedAt) {
        s.put("version", version);
        s.put("created_at", createdAt.toString());
        s.put("created_by", createdBy);
        s.put("updated_at", updatedAt.toString());
        s.put("updated_by", updatedBy);
        s.put("deleted_at", deletedAt == null ? null : deletedAt.toString());
    }

    ObjectNode object(String json) {
        return json == null ? null : (ObjectNode) mapper.readTree(json);
    }
}
