package dev.agentfactory.bench;

import java.util.Arrays;

/**
 * Percentiles and means over the samples a run expected, not only the ones it got: a request that failed, timed
 * out or never arrived ranks above every measured one, as +infinity. Leaving such samples out would make a run
 * that loses its slowest requests look faster than one that answers them late.
 */
public final class Samples {

    private Samples() {
    }

    /**
     * The nearest-rank {@code p}-th percentile (0..100) of {@code expected} samples of which {@code measured} are
     * the ones that came back (any order, not modified); +infinity when the rank falls on a failed or missing one,
     * NaN when none was expected. More measured than expected (a duplicate delivery) counts them all.
     */
    public static double percentile(long[] measured, long expected, double p) {
        long n = Math.max(expected, measured.length);
        if (n == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, Math.min(n, (long) Math.ceil(p / 100.0 * n)));
        if (rank > measured.length) {
            return Double.POSITIVE_INFINITY;
        }
        long[] sorted = measured.clone();
        Arrays.sort(sorted);
        return sorted[(int) rank - 1];
    }

    /** The mean of {@code expected} samples: +infinity when any of them failed or is missing, NaN when none was expected. */
    public static double mean(long[] measured, long expected) {
        if (expected > measured.length) {
            return Double.POSITIVE_INFINITY;
        }
        return measured.length == 0 ? Double.NaN : Arrays.stream(measured).mapToDouble(v -> v).sum() / measured.length;
    }
}
