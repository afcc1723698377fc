package dev.agentfactory.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CdcPropertiesTest {

    @Test
    void aTombstoneTtlBelowOneSecondIsRefusedAtStartupNotAtTheFirstDelete() {
        for (Duration ttl : List.of(Duration.ZERO, Duration.ofMillis(500))) {
            assertThatThrownBy(() -> withTombstoneTtl(ttl)).rootCause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("factory.cdc.tombstone-ttl must be at least 1s");
        }
    }

    @Test
    void anEngineQueueNoLargerThanItsBatchOrWithoutAByteBoundIsRefusedAtStartup() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("max-queue-records", "8192"))).rootCause()
                .hasMessageContaining("must be larger than factory.cdc.max-batch-records");
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("max-queue-bytes", "0"))).rootCause()
                .hasMessageContaining("must be positive");
    }

    @Test
    void aLockPeerTimeoutWithinThreePollsIsRefusedSinceALiveLeaderWouldLoseItsSession() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("lock-peer-timeout", "2s"))).rootCause()
                .hasMessageContaining("must be at least three lock-poll-intervals");
    }

    @Test
    void aSocketTimeoutNotAboveTheSinkTimeoutIsRefusedSinceItWouldCutStatementsTheSinkAllows() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("db-socket-timeout", "10"))).rootCause()
                .hasMessageContaining("must be above factory.cdc.sink-timeout");
        assertThat(TestCdcProperties.with(Map.of("db-socket-timeout", "11")).dbSocketTimeout())
                .isEqualTo(Duration.ofSeconds(11));
    }

    private static CdcProperties withTombstoneTtl(Duration ttl) {
        return TestCdcProperties.with(Map.of("tombstone-ttl", ttl.toMillis() + "ms"));
    }
}
