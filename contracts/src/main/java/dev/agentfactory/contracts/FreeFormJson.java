package dev.agentfactory.contracts;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

import dev.agentfactory.contracts.InvalidWriteException.Reason;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checks a payload gets, free-form objects included (an agent's config, state and metadata, a PRD's metadata,
 * a history entry), before it is stored as jsonb, and the one change it gets: numbers take the form jsonb gives
 * them back, so the worker decides "changed or not" the same way whether an entity was just decoded or loaded
 * from PostgreSQL (jsonb prints {@code 1e2} as {@code 100}, and {@code 1e1000} as 1,001 digits).
 * <ul>
 * <li>every key and string must be well-formed UTF-16 ({@link Json#wellFormed}): half a surrogate pair would be
 * stored as {@code ?};</li>
 * <li>a number may have at most {@link #MAX_NUMBER_DIGITS} digits written out, the most a JSON reader takes by
 * default: a longer one would be stored, and then no reader, the worker's included, could load its row;</li>
 * <li>the characters writing its numbers out adds to the whole payload, against each number's text as sent, must
 * fit in what the record's size limit leaves: {@code 1e999} and {@code 1e-999} are a few bytes sent and a thousand
 * digits stored and published, so a small record could otherwise grow past every limit downstream
 * ({@code oversized}); {@code 0.05} is stored as sent and adds nothing;</li>
 * <li>a value may nest at most {@link #MAX_DEPTH} objects and arrays deep, counting itself: the gateway writes
 * an agent's config inside a list or versions page a few levels further down, and Jackson's writer refuses
 * anything deeper than 500 levels in all, so a value near the reader's limit would be stored and then fail every
 * page that shows it;</li>
 * <li>a number without a fractional part written out ({@code 1e2}, {@code 1.5e1}) becomes an integer.</li>
 * </ul>
 */
final class FreeFormJson {

    /** Jackson's default {@code StreamReadConstraints.maxNumberLength}, which counts digits. */
    static final int MAX_NUMBER_DIGITS = 1000;

    static final int MAX_DEPTH = WriteCodec.MAX_NESTING_DEPTH;

    private final long growthBudget;
    private final byte[] record;
    /** An upper bound on what the numbers seen so far add, from their values alone (see {@link #number}). */
    private long growth;
    /** Set once {@link SentNumbers} measured the whole record within the budget: nothing left to count. */
    private boolean measuredWithin;

    private FreeFormJson(long growthBudget, byte[] record) {
        this.growthBudget = growthBudget;
        this.record = record;
    }

    /**
     * Checks {@code payload} in place (numbers are replaced by their jsonb form); each failure names the payload
     * field it is in. {@code growthBudget}: how many characters writing numbers out may add to {@code record}, the
     * bytes {@code payload} was read from.
     */
    static void check(ObjectNode payload, long growthBudget, byte[] record) {
        FreeFormJson check = new FreeFormJson(growthBudget, record);
        for (Map.Entry<String, JsonNode> e : payload.properties()) {
            Json.wellFormed(e.getKey(), "payload");
            e.setValue(check.checked(e.getValue(), e.getKey(), 1));
        }
    }

    /** {@code depth}: the nesting level of {@code v} if it is an object or array, the payload's fields being 1. */
    private JsonNode checked(JsonNode v, String field, int depth) {
        if (v.isContainer() && depth > MAX_DEPTH) {
            throw Json.violation(field + " nests more than " + MAX_DEPTH + " objects and arrays deep (at most "
                    + MAX_DEPTH + ", counting " + field + " itself)");
        }
        if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                Json.wellFormed(e.getKey(), field);
                JsonNode canonical = checked(e.getValue(), field, depth + 1);
                if (canonical != e.getValue()) {
                    e.setValue(canonical);
                }
            }
            return v;
        }
        if (v.isArray()) {
            ArrayNode array = (ArrayNode) v;
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                JsonNode canonical = checked(element, field, depth + 1);
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
        return v.isBigDecimal() ? number(v, field) : v;
    }

    private JsonNode number(JsonNode v, String field) {
        BigDecimal d = v.decimalValue();
        if (d.signum() == 0 && d.scale() < 0) {
            d = BigDecimal.ZERO; // 0e1000: jsonb stores 0, not a 1 followed by a thousand zeros
        }
        long scale = d.scale();
        long digits = Math.max(d.precision() - scale, 1) + Math.max(scale, 0);
        if (digits > MAX_NUMBER_DIGITS) {
            throw Json.violation(field + " holds a number of " + digits + " digits written out (at most "
                    + MAX_NUMBER_DIGITS + "), as PostgreSQL stores it");
        }
        // At least what writing it out adds (1e999: 999 counted, 995 in fact): the value alone cannot tell how it
        // was spelled (0.0001 gains nothing, 1e-4 gains 2), so this counts as if its digits alone had been sent.
        // Past the budget, the record's own text decides once, for all its numbers; the estimate keeps the common
        // case to one parse, and stops a record of 1e999s before it builds thousands of 1,000-digit integers.
        growth += digits - d.precision() - (d.precision() - scale <= 0 ? 1 : 0);
        if (growth > growthBudget && !measuredWithin) {
            if (SentNumbers.growth(record) > growthBudget) {
                throw new InvalidWriteException(Reason.OVERSIZED, "written out as PostgreSQL stores them, the"
                        + " numbers in " + field + " would make the record larger than its limit");
            }
            measuredWithin = true;
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
