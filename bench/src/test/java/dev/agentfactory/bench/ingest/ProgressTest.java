package dev.agentfactory.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theRateIsOverTheEventsDoneAfterProgressWasFirstSeen() {
        // 1,000 events, 100 of them already done when the clock started, the other 900 in one second
        Progress.Drain d = new Progress.Drain(5 * SECOND, 6 * SECOND, 1_000, 100, 900_000_000L, 450_000_000L,
                90_000_000L);
        assertThat(d.timedEvents()).isEqualTo(900);
        assertThat(d.perSecond()).isCloseTo(900.0, within(1e-9));
        assertThat(d.cpuMicrosPerEvent()).as("CPU of the same interval, over the same events")
                .isCloseTo(1500.0, within(1e-9));
        assertThat(d.databaseCpuMicrosPerEvent()).isCloseTo(500.0, within(1e-9));
        assertThat(d.jitCpuMicrosPerEvent()).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void aDrainThatEndedBeforeItCouldBeTimedHasNoRate() {
        Progress.Drain d = new Progress.Drain(5 * SECOND, 5 * SECOND, 1_000, 1_000, 0, 0, 0);
        assertThat(d.perSecond()).isNaN();
        assertThat(d.cpuMicrosPerEvent()).isNaN();
        assertThat(Progress.Drain.NONE.perSecond()).isNaN();
    }
}
