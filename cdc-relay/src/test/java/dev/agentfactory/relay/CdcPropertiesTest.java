package dev.agentfactory.relay;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class CdcPropertiesTest {

    @Test
    void aTombstoneTtlBelowOneSecondIsRefusedAtStartupNotAtTheFirstDelete() {
        for (Duration ttl : List.of(Duration.ZERO, Duration.ofMillis(500))) {
            assertThatThrownBy(() -> withTombstoneTtl(ttl)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("factory.cdc.tombstone-ttl must be at least 1s");
        }
    }

    private static CdcProperties withTombstoneTtl(Duration ttl) {
        Duration s = Duration.ofSeconds(1);
        return new CdcProperties("n", "f", "s", "p", List.of("agents"), "a", "b", "r", ttl, null, 1, s, s, s, 2, s, s, s,
                s, s, 1, s);
    }
}
