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

    ObjectNode object(String json) {
        return json == null ? null : (ObjectNode) mapper.readTree(json);
    }
}
