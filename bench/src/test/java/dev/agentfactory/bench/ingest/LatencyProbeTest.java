package dev.agentfactory.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyProbeTest {

    private static final long AT_2000_PER_S = 500_000;   // ns between writes

    @Test
    void aWriteIsDueAtTheStartPlusItsIntervalsWhenEverItWasSent() {
        long start = 1_700_000_000_000L;
        assertThat(LatencyProbe.dueMillis(start, 0, AT_2000_PER_S)).isEqualTo(start);
        assertThat(LatencyProbe.dueMillis(start, 2_000, AT_2000_PER_S)).isEqualTo(start + 1_000);
        assertThat(LatencyProbe.dueMillis(start, 3, AT_2000_PER_S)).isCloseTo(start + 1.5, within(1e-6));
    }

    @Test
    void aStalledSenderCountsInTheLatencyOfTheWritesBehindIt() {
        // the 2,000th write was due 1 s in; the sender stalled 400 ms, sent it at 1.4 s, and it committed at 1.45 s
        long start = 1_700_000_000_000L;
        assertThat(LatencyProbe.latencyMillis(start + 1_450, start, 2_000, AT_2000_PER_S)).isEqualTo(450.0);
    }
}
