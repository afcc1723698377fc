package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreVersion7WithTheRfcVariant() {
        UUID id = EventIds.next();
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void theFirst48BitsAreTheUnixMillisecondsSoIdsSortByTime() {
        long millis = 1_795_000_000_000L;
        UUID earlier = EventIds.at(millis, new Random(1));
        UUID later = EventIds.at(millis + 1, new Random(2));
        assertThat(earlier.getMostSignificantBits() >>> 16).isEqualTo(millis);
        // PostgreSQL orders uuid by its bytes, i.e. as unsigned 128-bit numbers, most significant first.
        assertThat(Long.compareUnsigned(earlier.getMostSignificantBits(), later.getMostSignificantBits())).isNegative();
        assertThat(earlier.toString()).isLessThan(later.toString());
    }

    @Test
    void idsOfTheSameMillisecondDifferInTheirRandomBits() {
        Random random = new Random(42);
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(EventIds.at(1_795_000_000_000L, random));
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void aTimeBeyond48BitsIsRefused() {
        assertThatThrownBy(() -> EventIds.at(1L << 48, new Random())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventIds.at(-1, new Random())).isInstanceOf(IllegalArgumentException.class);
    }
}
