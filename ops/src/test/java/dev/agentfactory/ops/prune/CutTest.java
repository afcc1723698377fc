package dev.agentfactory.ops.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.EventIds;

class CutTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00.123456Z");

    @Test
    void theBoundCarriesTheCutTimeInItsFirst48BitsAsTheSmallestUuidV7OfThatMillisecond() {
        Cut cut = Cut.before(NOW, Duration.ofDays(30));

        assertThat(cut.time()).isEqualTo(Instant.parse("2026-10-28T12:00:00.123Z"));
        assertThat(cut.bound().getMostSignificantBits() >>> 16).isEqualTo(cut.time().toEpochMilli());
        assertThat(cut.bound().version()).isEqualTo(7);
        assertThat(cut.bound().variant()).isEqualTo(2);
        // 1793188800123 ms = 0x01a18261a67b
        assertThat(cut.bound().toString()).isEqualTo("01a18261-a67b-7000-8000-000000000000");
    }

    @Test
    void idsMintedBeforeTheCutSortBelowTheBoundAndIdsMintedAtItOrLaterDoNot() {
        Cut cut = Cut.before(NOW, Duration.ofHours(720));
        long ms = cut.time().toEpochMilli();
        // PostgreSQL compares uuids byte by byte, which is the order of their canonical text
        assertThat(largestV7At(ms - 1).toString()).isLessThan(cut.bound().toString());
        assertThat(EventIds.lowestAt(ms).toString()).isEqualTo(cut.bound().toString());
        assertThat(largestV7At(ms).toString()).isGreaterThan(cut.bound().toString());
        assertThat(EventIds.lowestAt(ms + 1).toString()).isGreaterThan(cut.bound().toString());
    }

    @Test
    void thirtyDaysAndSevenHundredTwentyHoursCutAtTheSamePlace() {
        assertThat(Cut.before(NOW, Duration.ofDays(30))).isEqualTo(Cut.before(NOW, Duration.ofHours(720)));
    }

    @Test
    void aCutBefore1970IsRefused() {
        assertThatThrownBy(() -> Cut.before(NOW, Duration.ofDays(365L * 100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before 1970");
    }

    private static UUID largestV7At(long ms) {
        return new UUID(ms << 16 | 0x7FFFL, 0xBFFF_FFFF_FFFF_FFFFL);
    }
}
