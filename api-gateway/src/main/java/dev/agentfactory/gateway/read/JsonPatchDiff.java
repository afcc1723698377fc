package dev.agentfactory.gateway.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The difference between two snapshots as an RFC 6902 JSON Patch that turns the older into the newer:
 * objects are compared member by member (so a changed config key is one operation), arrays and scalars
 * are replaced whole. Bookkeeping fields that change on every write can be left out.
 */
public final class JsonPatchDiff {

    private final JsonMapper json;

    public JsonPatchDiff(JsonMapper json) {
        this.json = json;
    }

    public List<ObjectNode> diff(Object from, Object to, Set<String> ignored) {
        List<ObjectNode> ops = new ArrayList<>();
        JsonNode a = json.valueToTree(from);
        JsonNode b = json.valueToTree(to);
        diff("", a, b, ops, ignored);
        return ops;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<ObjectNode> ops, Set<String> ignored) {
        if (a.equals(b)) {
            return;
        }
        if (!a.isObject() || !b.isObject()) {
            ops.add(op("replace", path).set("value", b));
            return;
        }
        Set<String> names = new TreeSet<>();
        a.propertyNames().forEach(names::add);
        b.propertyNames().forEach(names::add);
        for (String name : names) {
            if (path.isEmpty() && ignored.contains(name)) {
                continue;
            }
            String child = path + "/" + name.replace("~", "~0").replace("/", "~1");
            JsonNode x = a.get(name);
            JsonNode y = b.get(name);
            if (x == null) {
                ops.add(op("add", child).set("value", y));
            } else if (y == null) {
                ops.add(op("remove", child));
            } else {
                diff(child, x, y, ops, ignored);
            }
        }
    }

    private static ObjectNode op(String op, String path) {
        return JsonNodeFactory.instance.objectNode().put("op", op).put("path", path);
    }

    /** The diff response body: which versions, and the patch. */
    public static Map<String, Object> body(long from, long to, List<ObjectNode> patch) {
        return Map.of("from", from, "to", to, "patch", patch);
    }
}
