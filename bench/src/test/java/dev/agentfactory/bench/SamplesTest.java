package dev.agentfactory.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SamplesTest {

    private static long[] ones(int n) {
        long[] v = new long[n];
        java.util.Arrays.fill(v, 1);
        return v;
    }

    @Test
    void failedOrMissingSamplesRankAboveEveryMeasuredOne() {
        // 98 answers of 1, 2 failures: the p99 falls on a failure, the p50 does not
        assertThat(Samples.percentile(ones(98), 100, 99)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Samples.percentile(ones(98), 100, 50)).isEqualTo(1);
        assertThat(Samples.percentile(ones(99), 100, 99)).isEqualTo(1);
        assertThat(Samples.percentile(ones(99), 100, 100)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void withEverySampleInItIsTheNearestRankPercentile() {
        long[] v = {5, 1, 4, 2, 3};
        assertThat(Samples.percentile(v, 5, 50)).isEqualTo(3);
        assertThat(Samples.percentile(v, 5, 100)).isEqualTo(5);
        assertThat(Samples.percentile(v, 5, 0)).isEqualTo(1);
        assertThat(v).containsExactly(5, 1, 4, 2, 3);
        assertThat(Samples.percentile(v, 3, 100)).as("more in than due (a duplicate) counts them all").isEqualTo(5);
        assertThat(Samples.percentile(new long[0], 0, 99)).isNaN();
        assertThat(Samples.percentile(new long[0], 3, 1)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void samplesThatAllCameBackGiveTheSameNearestRankAndAreLeftSorted() {
        double[] v = {5, 1, 4, 2, 3};
        assertThat(Samples.percentile(v, 50)).isEqualTo(3);
        assertThat(Samples.percentile(v, 99)).isEqualTo(5);
        assertThat(Samples.percentile(v, 0)).isEqualTo(1);
        assertThat(v).containsExactly(1, 2, 3, 4, 5);
        assertThat(Samples.percentile(new double[0], 50)).isNaN();
    }

    @Test
    void theMeanIsUnboundedWhenAnySampleFailed() {
        assertThat(Samples.mean(new long[] {1, 2, 3}, 3)).isEqualTo(2);
        assertThat(Samples.mean(new long[] {1, 2, 3}, 4)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Samples.mean(new long[0], 0)).isNaN();
    }
}
