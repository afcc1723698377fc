package dev.agentfactory.contracts;

import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.agentfactory.contracts.InvalidWriteException.Reason;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Field checks shared by the envelope and payload decoders; each failure names the field. */
final class Json {

    static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9-]{0,99}$");

    private Json() {
    }

    static void onlyFields(JsonNode node, Set<String> allowed, String where) {
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                throw violation(where + " has unknown field '" + name + "'");
            }
        }
    }

    static String requiredString(JsonNode node, String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw violation(field + " is required");
        }
        return string(v, field, min, max);
    }

    static String optionalString(JsonNode node, String field, int min, int max) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : string(v, field, min, max);
    }

    static String string(JsonNode v, String field, int min, int max) {
        if (!v.isString()) {
            throw violation(field + " must be a string");
        }
        String s = wellFormed(v.stringValue(), field);
        int len = s.codePointCount(0, s.length());
        if (len < min || len > max) {
            throw violation(field + " must have " + min + ".." + max + " characters, has " + len);
        }
        return s;
    }

    /**
     * JSON lets a string escape half a surrogate pair ({@code "\ud800"}); that is no character, and encoded for
     * PostgreSQL's text it would silently become {@code ?}. Refused here, so the write is not stored altered.
     */
    static String wellFormed(String s, String field) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw violation(field + " holds an unpaired surrogate (\\u" + Integer.toHexString(c)
                        + "), which is no Unicode character");
            }
        }
        return s;
    }

    static String oneOf(String value, String field, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw violation(field + " must be one of " + allowed + ", got '" + value + "'");
        }
        return value;
    }

    static String slug(JsonNode node) {
        String s = requiredString(node, "slug", 1, 100);
        if (!SLUG.matcher(s).matches()) {
            throw violation("slug must match " + SLUG.pattern());
        }
        return s;
    }

    static ObjectNode optionalObject(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw violation(field + " must be a JSON object");
        }
        return (ObjectNode) v;
    }

    static ObjectNode requiredObject(JsonNode node, String field) {
        ObjectNode o = optionalObject(node, field);
        if (o == null) {
            throw violation(field + " is required");
        }
        return o;
    }

    static UUID uuid(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw violation(field + " is required");
        }
        if (!v.isString() || !isUuid(v.stringValue())) {
            throw new InvalidWriteException(Reason.INVALID_ID, field + " must be a UUID, got " + v);
        }
        return UUID.fromString(v.stringValue());
    }

    /** The canonical 8-4-4-4-12 hex form (either case); {@link UUID#fromString} alone accepts shorter groups. */
    static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static InvalidWriteException violation(String message) {
        return new InvalidWriteException(Reason.SCHEMA_VIOLATION, message);
    }
}
