package dev.agentfactory.worker.writes;

import java.time.Instant;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.contracts.IsoInstant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON text in and out of jsonb columns, with one shared mapper. Version snapshots are the worker's
 * largest output, so they are written field by field ({@link JsonObjectText}) and the jsonb columns inside
 * them are embedded as text serialized once per value ({@link Memo}) rather than built as a tree and
 * serialized again.
 */
final class Snapshots {

    // As the codec reads them: a loaded jsonb number must survive a merge patch digit for digit.
    private final JsonMapper mapper = ExactJson.perThreadBuffers();

    String json(JsonNode node) {
        return mapper.writeValueAsString(node);
    }

    ObjectNode object(String json) {
        return json == null ? null : (ObjectNode) mapper.readTree(json);
    }

    /** The bookkeeping columns every entity snapshot ends with, under their column names. */
    static JsonObjectText bookkeeping(JsonObjectText s, long version, Instant createdAt, String createdBy,
                                      Instant updatedAt, String updatedBy, Instant deletedAt) {
        return s.number("version", version).instant("created_at", createdAt).string("created_by", createdBy)
                .instant("updated_at", updatedAt).string("updated_by", updatedBy).instant("deleted_at", deletedAt);
    }

    /** {@link Instant#toString()}, or null. */
    static String text(Instant instant) {
        return instant == null ? null : IsoInstant.format(instant);
    }

    /**
     * The JSON text of a jsonb column's current value, serialized at most once per value: the version
     * snapshot and the row's upsert both need it. Rows replace these nodes on change and never mutate
     * them, so the node's identity is the key.
     */
    static final class Memo {
        private JsonNode node;
        private String text;

        String text(JsonNode value, Snapshots snapshots) {
            if (value != node) {
                text = value.isObject() && value.isEmpty() ? "{}" : snapshots.json(value);
                node = value;
            }
            return text;
        }

        /** The text the database returned for a loaded value: equal as jsonb, so no need to serialize it. */
        void seed(JsonNode value, String json) {
            node = value;
            text = json;
        }
    }
}
