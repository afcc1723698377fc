package dev.agentfactory.contracts;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

/**
 * A draft 2020-12 validator for exactly the keywords our schemas use, so the tests can hold the codec to the
 * published schemas without a validator library (none runs on Jackson 3 here). A keyword it does not know fails
 * loudly rather than passing silently. {@code format} is an annotation in 2020-12 and is not asserted.
 */
final class SchemaCheck {

    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "title", "description", "$defs", "format");

    private final JsonNode root;

    private SchemaCheck(JsonNode root) {
        this.root = root;
    }

    static SchemaCheck load(String file) throws IOException {
        return new SchemaCheck(WriteCodec.MAPPER.readTree(Files.readString(Path.of("schemas", file))));
    }

    boolean valid(JsonNode instance) {
        return valid(root, instance);
    }

    private boolean valid(JsonNode schema, JsonNode v) {
        for (Map.Entry<String, JsonNode> k : schema.properties()) {
            if (!keyword(schema, k.getKey(), k.getValue(), v)) {
                return false;
            }
        }
        return true;
    }

    private boolean keyword(JsonNode schema, String name, JsonNode arg, JsonNode v) {
        switch (name) {
            case "type":
                if (arg.isArray()) {
                    for (JsonNode t : arg) {
                        if (isType(t.stringValue(), v)) {
                            return true;
                        }
                    }
                    return false;
                }
                return isType(arg.stringValue(), v);
            case "enum":
                for (JsonNode e : arg) {
                    if (same(e, v)) {
                        return true;
                    }
                }
                return false;
            case "const":
                return same(arg, v);
            case "required":
                if (!v.isObject()) {
                    return true;
                }
                for (JsonNode f : arg) {
                    if (!v.has(f.stringValue())) {
                        return false;
                    }
                }
                return true;
            case "properties":
                if (!v.isObject()) {
                    return true;
                }
                for (Map.Entry<String, JsonNode> p : arg.properties()) {
                    if (v.has(p.getKey()) && !valid(p.getValue(), v.get(p.getKey()))) {
                        return false;
                    }
                }
                return true;
            case "additionalProperties":
                if (!arg.isBoolean() || arg.booleanValue()) {
                    throw new IllegalStateException("only additionalProperties: false is supported");
                }
                if (!v.isObject()) {
                    return true;
                }
                JsonNode declared = schema.get("properties");
                for (String f : v.propertyNames()) {
                    if (declared == null || !declared.has(f)) {
                        return false;
                    }
                }
                return true;
            case "maxProperties":
                return !v.isObject() || v.size() <= arg.intValue();
            case "pattern":
                // ECMA-262 '$' without the m flag matches only at the very end; Java's also before a final '\n'.
                return !v.isString() || Pattern.compile(arg.stringValue().replaceAll("\\$$", "\\\\z"))
                        .matcher(v.stringValue()).find();
            case "minLength":
                return !v.isString() || length(v) >= arg.intValue();
            case "maxLength":
                return !v.isString() || length(v) <= arg.intValue();
            case "minimum":
                return !v.isNumber() || v.decimalValue().compareTo(arg.decimalValue()) >= 0;
            case "maximum":
                return !v.isNumber() || v.decimalValue().compareTo(arg.decimalValue()) <= 0;
            case "$ref":
                return valid(root.at(arg.stringValue().substring(1)), v);
            case "allOf":
                for (JsonNode s : arg) {
                    if (!valid(s, v)) {
                        return false;
                    }
                }
                return true;
            case "if":
                JsonNode branch = valid(arg, v) ? schema.get("then") : schema.get("else");
                return branch == null || valid(branch, v);
            case "then":
            case "else":
                return true; // applied by "if"
            default:
                if (ANNOTATIONS.contains(name)) {
                    return true;
                }
                throw new IllegalStateException("SchemaCheck does not implement keyword " + name);
        }
    }

    /** Schema lengths count code points. */
    private static int length(JsonNode v) {
        return v.stringValue().codePointCount(0, v.stringValue().length());
    }

    private static boolean isType(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isString();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "number" -> v.isNumber();
            // 1.0 is an integer in JSON Schema
            case "integer" -> v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0;
            default -> throw new IllegalStateException("unknown type " + type);
        };
    }

    /** JSON equality: numbers by value (1 equals 1.0). */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            BigDecimal x = a.decimalValue();
            return x.compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}
