package dev.agentfactory.bench.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LagSamplesTest {

    @Test
    void samplesThatNeverArrivedCountAboveEveryLagMeasured() {
        LagSamples lag = new LagSamples();
        for (int i = 1; i <= 90; i++) {
            lag.add(i);
        }
        assertThat(lag.percentile(50, 90)).isEqualTo(45);
        assertThat(lag.percentile(99, 90)).isEqualTo(90);
        // 10 of 100 due never arrived: the p99 is unbounded, not the 90 ms of what arrived
        assertThat(lag.percentile(99, 100)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(lag.percentile(50, 100)).isEqualTo(50);
    }
}
