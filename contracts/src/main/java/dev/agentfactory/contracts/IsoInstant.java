package dev.agentfactory.contracts;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()} and {@link Instant#parse} for the canonical UTC form every envelope, outcome,
 * snapshot and COPY row carries ({@code 2026-11-27T03:53:46.123456Z}), without the general formatter:
 * the ingest worker formats and parses several instants per event, and {@code DateTimeFormatter} made
 * that a tenth of its CPU. Same text, same values; anything outside the fast path (other years, offsets,
 * lower case, leap seconds) goes to the JDK and behaves exactly as it does there.
 */
public final class IsoInstant {

    private static final long FIRST = 0L;                  // 1970-01-01T00:00:00Z
    private static final long END = 253_402_300_800L;      // 10000-01-01T00:00:00Z
    private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private IsoInstant() {
    }

    /** The text of {@link Instant#toString()}. */
    public static String format(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < FIRST || seconds >= END) {
            return t.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int secondOfDay = (int) (seconds % 86_400);
        int nano = t.getNano();
        int digits = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
        char[] out = new char[20 + (digits == 0 ? 0 : digits + 1)];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, secondOfDay / 3_600, 2);
        out[13] = ':';
        put(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, secondOfDay % 60, 2);
        int at = 19;
        if (digits > 0) {
            out[at++] = '.';
            put(out, at, nano / POW10[9 - digits], digits);
            at += digits;
        }
        out[at] = 'Z';
        return new String(out);
    }

    /** The instant {@link Instant#parse} returns, and its {@link java.time.format.DateTimeParseException} for text it refuses. */
    public static Instant parse(CharSequence text) {
        int n = text.length();
        if (n < 20 || n > 30 || n == 21 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z'
                || (n > 20 && text.charAt(19) != '.')) {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int fraction = n > 20 ? digits(text, 20, n - 21) : 0;
        if (year < 1970 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59 || fraction < 0) {
            return Instant.parse(text);
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return Instant.parse(text);
        }
        int nano = n > 20 ? fraction * POW10[9 - (n - 21)] : 0;
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nano);
    }

    private static void put(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The number in {@code text[from, from + width)}, or -1 if a character is not an ASCII digit. */
    private static int digits(CharSequence text, int from, int width) {
        int value = 0;
        for (int i = from; i < from + width; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
