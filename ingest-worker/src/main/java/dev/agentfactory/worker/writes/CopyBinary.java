package dev.agentfactory.worker.writes;

import java.nio.charset.StandardCharsets;
import java.sql.SQLDataException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Rows in COPY's binary format for the column types the worker appends. The text format made the server
 * parse every uuid (sixteen {@code strtoul} calls each), timestamp and bigint: a tenth of the database's
 * CPU per event in the ingest benchmark's profile. Binary sends them as the server stores them; text and
 * jsonb still travel as UTF-8 (jsonb as its format version byte and the JSON text, which the server parses
 * exactly as it parses text input).
 */
final class CopyBinary {

    /** A column's wire type; the value given for it must be of the Java type named. */
    enum Type {
        /** {@link UUID}. */
        UUID,
        /** {@link Long} (bigint). */
        INT8,
        /** {@link String}. */
        TEXT,
        /** {@link String} holding JSON text. */
        JSONB,
        /** {@link Instant}, sent at the server's microsecond precision, rounded half to even. */
        TIMESTAMPTZ
    }

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final byte JSONB_VERSION = 1;
    /** 2000-01-01T00:00:00Z, the server's timestamp epoch, in Unix seconds. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    /**
     * The instants sent, in Unix seconds: the years 0001 to 9999. The server stores more (4713 BC to 294276 AD),
     * but the worker's other writes carry instants as ISO-8601 text ({@code Instant.toString}), which it refuses
     * outside these years; an entity created here with such an instant could then never be updated.
     */
    static final long MIN_SECONDS = -62_135_596_800L;     // 0001-01-01T00:00:00Z
    static final long END_SECONDS = 253_402_300_800L;     // 10000-01-01T00:00:00Z

    private byte[] buf;
    private int size;

    CopyBinary(int capacity) {
        buf = new byte[Math.max(capacity, 64)];
    }

    /** The 19-byte header that starts a binary COPY stream: signature, no flags, no extension. */
    CopyBinary header() {
        put(SIGNATURE, 0, SIGNATURE.length);
        return int32(0).int32(0);
    }

    /** The end-of-data marker. */
    CopyBinary trailer() {
        return int16(-1);
    }

    /** One row, its values in the order of {@code types}; null is SQL NULL. */
    CopyBinary row(Type[] types, List<?> values) throws SQLDataException {
        if (values.size() != types.length) {
            throw new IllegalArgumentException(values.size() + " values for " + types.length + " columns");
        }
        int16(types.length);
        for (int i = 0; i < types.length; i++) {
            Object v = values.get(i);
            if (v == null) {
                int32(-1);
                continue;
            }
            switch (types[i]) {
                case UUID -> {
                    UUID id = (UUID) v;
                    int32(16).int64(id.getMostSignificantBits()).int64(id.getLeastSignificantBits());
                }
                case INT8 -> int32(8).int64((Long) v);
                case TEXT -> utf8((String) v, false);
                case JSONB -> utf8((String) v, true);
                case TIMESTAMPTZ -> int32(8).int64(micros((Instant) v));
            }
        }
        return this;
    }

    int size() {
        return size;
    }

    byte[] bytes() {
        return buf;
    }

    void clear() {
        size = 0;
    }

    /**
     * Microseconds since the server's epoch. Outside the years 0001 to 9999 (the last half microsecond of 9999 rounds
     * to 10000) the server refuses the text form; the same SQLSTATE here makes the batch split and the event
     * be rejected, as on the text paths.
     */
    static long micros(Instant t) throws SQLDataException {
        long seconds = t.getEpochSecond();
        Instant rounded = seconds < MIN_SECONDS || seconds >= END_SECONDS ? null : atMicros(t);  // never overflows
        if (rounded == null || rounded.getEpochSecond() >= END_SECONDS) {
            throw new SQLDataException("timestamp out of range: \"" + t + "\"", "22008");
        }
        return (rounded.getEpochSecond() - PG_EPOCH_SECONDS) * 1_000_000L + rounded.getNano() / 1_000;
    }

    /**
     * The instant at the server's microsecond precision, rounded half to even: the server's text input rounds with
     * rint() on a double, which agrees but for some exact ties. The worker truncates occurredAt itself; an agent
     * history entry's recordedAt arrives as sent, and is staged rounded, so that both of its paths (this one, and the
     * text one, which the server rounds) store the same microsecond; the codec already refuses one rounding into the
     * year 10000, and {@link #micros} keeps that refusal only as a backstop.
     */
    static Instant atMicros(Instant t) {
        int rest = t.getNano() % 1_000;
        if (rest == 0) {
            return t;
        }
        boolean up = rest > 500 || rest == 500 && (t.getNano() / 1_000 & 1) == 1;
        return t.minusNanos(rest).plusNanos(up ? 1_000 : 0);
    }

    private void utf8(String s, boolean jsonb) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(b.length + (jsonb ? 1 : 0));
        if (jsonb) {
            ensure(1);
            buf[size++] = JSONB_VERSION;
        }
        put(b, 0, b.length);
    }

    private CopyBinary int16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    private CopyBinary int32(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    private CopyBinary int64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    private void put(byte[] b, int from, int length) {
        ensure(length);
        System.arraycopy(b, from, buf, size, length);
        size += length;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
