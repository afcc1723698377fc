package dev.agentfactory.store.replica;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * PostgreSQL's text input forms for values that have no natural string form in Java: arrays (as array
 * literals) and bytea (as hex). The applier sends every value as text cast to the column's type, so these
 * must be exactly what the type's input function reads. The worker's set-wise statements quote their array
 * elements with {@link #appendQuoted} too.
 */
public final class PgText {

    private static final HexFormat HEX = HexFormat.of();

    private PgText() {
    }

    /**
     * An array literal: {@code {"a","b\"c",NULL}}; nested lists are the inner dimensions. Every element is
     * quoted (the input function accepts quotes for any element type) so text with commas, braces, spaces or
     * the word NULL survives; {@code element} gives the text of a non-list, non-null element.
     */
    static String arrayLiteral(List<?> values, Function<Object, String> element) {
        StringBuilder out = new StringBuilder();
        appendArray(out, values, element);
        return out.toString();
    }

    private static void appendArray(StringBuilder out, List<?> values, Function<Object, String> element) {
        out.append('{');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object v = values.get(i);
            if (v == null) {
                out.append("NULL");
            } else if (v instanceof List<?> inner) {
                appendArray(out, inner, element);
            } else {
                appendQuoted(out, element.apply(v));
            }
        }
        out.append('}');
    }

    /**
     * An array element in double quotes, {@code "} and {@code \} escaped with a backslash: read back as the
     * same text whatever it holds (commas, braces, spaces, the word NULL). Copies unescaped runs in bulk, as
     * it is on the worker's hot path.
     */
    public static void appendQuoted(StringBuilder out, String s) {
        out.append('"');
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append(s, from, i).append('\\');
                from = i;
            }
        }
        out.append(s, from, s.length()).append('"');
    }

    /** bytea's hex form, {@code \x0aff}, of the buffer's remaining bytes; the buffer's position is unchanged. */
    static String bytea(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytea(bytes);
    }

    /** bytea's hex form, {@code \x0aff}. */
    static String bytea(byte[] bytes) {
        return "\\x" + HEX.formatHex(bytes);
    }
}
