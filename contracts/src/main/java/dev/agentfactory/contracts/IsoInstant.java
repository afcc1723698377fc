package dev.agentfactory.contracts;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * {@link Instant#toString()}, and {@link Instant#parse} held to RFC 3339, for the canonical UTC form every envelope,
 * outcome, snapshot and COPY row carries ({@code 2026-11-27T03:53:46.123456Z}), without the general formatter:
 * the ingest worker formats and parses several instants per event, and {@code DateTimeFormatter} made
 * that a tenth of its CPU. Same text, same values. Text outside the fast path (years before 1970, offsets,
 * lower case, leap seconds) goes to the JDK if it has RFC 3339's form, which the contract promises: a
 * four-digit year, hours 00-23, 1-9 fraction digits, {@code Z} or {@code ±hh:mm}. What else {@link Instant#parse}
 * takes ({@code 24:00}, {@code 46.Z}, {@code +10000-…}, {@code -0001-…}, offsets with seconds) is refused, and so is
 * any instant outside the years 0001 to 9999 in UTC ({@code 0000-…}, {@code 9999-12-31T23:30:00-01:00}): a year past
 * 9999 would pin an entity first in newest-first lists, or be refused by PostgreSQL instead of here.
 * A leap second is read as the JDK reads it: {@code 23:59:60} as {@code 23:59:59}, any other {@code :60} refused.
 */
public final class IsoInstant {

    private static final long FIRST = 0L;                  // 1970-01-01T00:00:00Z
    private static final long END = 253_402_300_800L;      // 10000-01-01T00:00:00Z
    private static final long YEAR_1 = -62_135_596_800L;   // 0001-01-01T00:00:00Z
    /** What {@link #parse} takes, as the codec's refusals name it. */
    static final String TAKES = "an RFC 3339 date-time in the years 0001 to 9999 (UTC)";
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

    /**
     * The instant {@link Instant#parse} returns for an RFC 3339 date-time; a {@link DateTimeParseException} for text
     * that is none, that it refuses, or that names an instant outside the years 0001 to 9999 (UTC).
     */
    public static Instant parse(CharSequence text) {
        int n = text.length();
        if (n < 20 || n > 30 || n == 21 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z'
                || (n > 20 && text.charAt(19) != '.')) {
            return parseRfc3339(text);
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
            return parseRfc3339(text);
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return parseRfc3339(text);
        }
        int nano = n > 20 ? fraction * POW10[9 - (n - 21)] : 0;
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nano);
    }

    /**
     * Off the fast path: the JDK's parse, of RFC 3339 text only, naming an instant in the years 0001 to 9999 (UTC):
     * an offset can move a date-time out of them ({@code 9999-12-31T23:30:00-01:00}), and PostgreSQL, which the
     * worker sends instants to as text, takes no other year.
     */
    private static Instant parseRfc3339(CharSequence text) {
        if (!rfc3339(text)) {
            throw new DateTimeParseException("Text '" + text + "' is not an RFC 3339 date-time", text, 0);
        }
        Instant t = Instant.parse(text);
        if (t.getEpochSecond() < YEAR_1 || t.getEpochSecond() >= END) {
            throw new DateTimeParseException("Text '" + text + "' is outside the years 0001 to 9999 (UTC)", text, 0);
        }
        return t;
    }

    /** Whether {@code t} has the form of RFC 3339's date-time; the calendar (30 February) is the JDK's to check. */
    private static boolean rfc3339(CharSequence t) {
        int n = t.length();
        if (n < 20 || digits(t, 0, 4) < 0 || t.charAt(4) != '-' || digits(t, 5, 2) < 0 || t.charAt(7) != '-'
                || digits(t, 8, 2) < 0 || (t.charAt(10) != 'T' && t.charAt(10) != 't') || !clock(t, 11, 60)) {
            return false;
        }
        int at = 19;
        if (t.charAt(at) == '.') {
            int first = ++at;
            while (at < n && t.charAt(at) >= '0' && t.charAt(at) <= '9') {
                at++;
            }
            if (at == first || at - first > 9) {
                return false;
            }
        }
        if (at == n - 1) {
            return t.charAt(at) == 'Z' || t.charAt(at) == 'z';
        }
        return at == n - 6 && (t.charAt(at) == '+' || t.charAt(at) == '-') && clock(t, at + 1, -1);
    }

    /** {@code hh:mm} at {@code from}, hours 00-23, then {@code :ss} up to {@code maxSecond} unless that is -1. */
    private static boolean clock(CharSequence t, int from, int maxSecond) {
        int hour = digits(t, from, 2);
        int minute = digits(t, from + 3, 2);
        if (hour < 0 || hour > 23 || t.charAt(from + 2) != ':' || minute < 0 || minute > 59) {
            return false;
        }
        if (maxSecond < 0) {
            return true;
        }
        int second = digits(t, from + 6, 2);
        return t.charAt(from + 5) == ':' && second >= 0 && second <= maxSecond;
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
