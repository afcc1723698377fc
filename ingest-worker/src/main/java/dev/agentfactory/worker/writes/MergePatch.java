package dev.agentfactory.worker.writes;

import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** JSON Merge Patch (RFC 7396) for the JSON columns: a null removes a key, an object merges recursively. */
final class MergePatch {

    private MergePatch() {
    }

    static ObjectNode apply(ObjectNode target, ObjectNode patch) {
        ObjectNode result = target == null ? JsonNodeFactory.instance.objectNode() : target.deepCopy();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                result.remove(e.getKey());
            } else if (value.isObject()) {
                JsonNode current = result.get(e.getKey());
                result.set(e.getKey(), apply(current != null && current.isObject() ? (ObjectNode) current : null,
                        (ObjectNode) value));
            } else {
                result.set(e.getKey(), value.deepCopy());
            }
        }
        return result;
    }
}
