package dev.agentfactory.ops.prune;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.agentfactory.contracts.EventIds;

/**
 * Where a prune cuts: the time before which a UUIDv7 eventId counts as old, and the same point as a primary-key
 * bound. Every UUIDv7 minted before {@code time} sorts below {@code bound} and none minted at or after it does,
 * so {@code event_id < bound} is a range of the primary key that needs no other index.
 */
record Cut(Instant time, UUID bound) {

    /** The cut {@code olderThan} before {@code now}, truncated to the millisecond a UUIDv7 carries. */
    static Cut before(Instant now, Duration olderThan) {
        long millis = now.minus(olderThan).toEpochMilli();
        if (millis < 0) {
            throw new IllegalArgumentException("the cut " + olderThan + " before " + now + " is before 1970");
        }
        return new Cut(Instant.ofEpochMilli(millis), EventIds.lowestAt(millis));
    }
}
