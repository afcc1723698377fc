package dev.agentfactory.contracts;

import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;

/**
 * New eventIds as UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. The worker keys
 * its dedup record by eventId and looks every event up by it; a time-ordered id lands on the right-hand
 * edge of that B-tree, where a random (v4) one dirties a random leaf, so inserts and lookups stay in a
 * few hot pages however large the table grows. The random part comes from {@link SecureRandom}, as for
 * {@link UUID#randomUUID()}: two producers must never mint the same id, or one write would be taken for
 * the other's duplicate.
 */
public final class EventIds {

    private static final Random RANDOM = new SecureRandom();

    private EventIds() {
    }

    /** A fresh UUIDv7 for the current time. */
    public static UUID next() {
        return at(System.currentTimeMillis(), RANDOM);
    }

    /**
     * The smallest UUIDv7 of that millisecond (both random parts zero): every UUIDv7 minted earlier sorts
     * below it and none minted then or later does, in PostgreSQL's byte order, so it bounds a key range by time.
     */
    public static UUID lowestAt(long unixMillis) {
        return of(unixMillis, 0, 0);
    }

    static UUID at(long unixMillis, Random random) {
        return of(unixMillis, random.nextInt() & 0xFFFL, random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL);
    }

    private static UUID of(long unixMillis, long randA, long randB) {
        if (unixMillis < 0 || unixMillis >>> 48 != 0) {
            throw new IllegalArgumentException("a UUIDv7 holds 48 bits of milliseconds, not " + unixMillis);
        }
        return new UUID(unixMillis << 16 | 0x7000L | randA, 0x8000_0000_0000_0000L | randB);
    }
}
