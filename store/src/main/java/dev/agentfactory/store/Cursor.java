package dev.agentfactory.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * A keyset position {@code (updated_at, id)} or {@code (time, sequence)}, encoded as an opaque URL-safe
 * token. Time is kept in microseconds, PostgreSQL's precision, so both implementations agree on it.
 */
public record Cursor(Instant at, String key) {

    /** PostgreSQL orders uuids by their bytes, unsigned; Java's UUID.compareTo compares signed longs. */
    public static final java.util.Comparator<UUID> PG_UUID_ORDER = (a, b) -> {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    };

    public static String encode(Instant at, Object key) {
        String raw = ChronoUnit.MICROS.between(Instant.EPOCH, at) + "|" + key;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Null for a null or blank token (the first page); a malformed token is the caller's error. */
    public static Cursor decode(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int bar = raw.indexOf('|');
            long micros = Long.parseLong(raw.substring(0, bar));
            return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), raw.substring(bar + 1));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed cursor: " + token, e);
        }
    }

    public UUID uuid() {
        return UUID.fromString(key);
    }

    public long number() {
        return Long.parseLong(key);
    }
}
