package dev.agentfactory.contracts;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checks a caller's free-form JSON (an agent's config, state and metadata, a PRD's metadata, a history
 * entry) gets before it is stored as jsonb, and the one change it gets: numbers take the form jsonb gives them
 * back, so the worker decides "changed or not" the same way whether an entity was just decoded or loaded from
 * PostgreSQL (jsonb prints {@code 1e2} as {@code 100}, and {@code 1e1000} as 1,001 digits).
 * <ul>
 * <li>every key and string must be well-formed UTF-16 ({@link Json#wellFormed}): half a surrogate pair would be
 * stored as {@code ?};</li>
 * <li>a number's plain form may have at most {@link #MAX_NUMBER_CHARS} characters, the most a JSON reader takes
 * by default: a longer one would be stored, and then no reader, the worker's included, could load its row;</li>
 * <li>a number without a fractional part in its plain form ({@code 1e2}, {@code 1.5e1}) becomes an integer.</li>
 * </ul>
 */
final class FreeFormJson {

    /** Jackson's default {@code StreamReadConstraints.maxNumberLength}. */
    static final int MAX_NUMBER_CHARS = 1000;

    private FreeFormJson() {
    }

    /** Checks {@code object} in place (numbers are replaced by their jsonb form) and returns it. */
    static ObjectNode checked(ObjectNode object, String field) {
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            Json.wellFormed(e.getKey(), field);
            JsonNode canonical = checked(e.getValue(), field);
            if (canonical != e.getValue()) {
                e.setValue(canonical);
            }
        }
        return object;
    }

    private static JsonNode checked(JsonNode v, String field) {
        if (v.isObject()) {
            return checked((ObjectNode) v, field);
        }
        if (v.isArray()) {
            ArrayNode array = (ArrayNode) v;
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                JsonNode canonical = checked(element, field);
                if (canonical != element) {
                    array.set(i, canonical);
                }
            }
            return array;
        }
        if (v.isString()) {
            Json.wellFormed(v.stringValue(), field);
            return v;
        }
        if (v.isBigDecimal()) {
            return number(v, field);
        }
        return v;
    }

    private static JsonNode number(JsonNode v, String field) {
        BigDecimal d = v.decimalValue();
        long scale = d.scale();
        long integerDigits = Math.max(d.precision() - scale, 1);
        long chars = integerDigits + (scale > 0 ? 1 + scale : 0) + (d.signum() < 0 ? 1 : 0);
        if (chars > MAX_NUMBER_CHARS) {
            throw Json.violation(field + " holds a number of " + chars + " characters written out (at most "
                    + MAX_NUMBER_CHARS + "), as PostgreSQL stores it");
        }
        if (scale > 0) {
            return v;
        }
        BigInteger i = d.toBigIntegerExact();
        // the node a reader makes of the same digits: int, long or big integer by size
        return i.bitLength() < 32 ? JsonNodeFactory.instance.numberNode(i.intValue())
                : i.bitLength() < 64 ? JsonNodeFactory.instance.numberNode(i.longValue())
                : JsonNodeFactory.instance.numberNode(i);
    }
}
