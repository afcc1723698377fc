package dev.agentfactory.worker.writes;

import java.time.Instant;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * Writes one flat JSON object into a StringBuilder: a version snapshot per event is the worker's most
 * frequent output, and a Jackson generator per snapshot cost more to set up than the text it wrote.
 * Strings are escaped by Jackson's encoder only when they need it (quote, backslash, control character),
 * so the text is what a generator would write.
 */
final class JsonObjectText {

    private final StringBuilder out = new StringBuilder(512).append('{');

    JsonObjectText string(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            out.append('"');
            if (needsEscape(value)) {
                JsonStringEncoder.getInstance().quoteAsString(value, out);
            } else {
                out.append(value);
            }
            out.append('"');
        }
        return this;
    }

    JsonObjectText instant(String name, Instant value) {
        return string(name, Snapshots.text(value));
    }

    JsonObjectText number(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    /** A value that is already JSON text (a jsonb column's {@link Snapshots.Memo}, or an array). */
    JsonObjectText raw(String name, String json) {
        name(name);
        out.append(json);
        return this;
    }

    String close() {
        return out.append('}').toString();
    }

    private void name(String name) {
        if (out.length() > 1) {
            out.append(',');
        }
        out.append('"').append(name).append("\":");
    }

    private static boolean needsEscape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }
}
