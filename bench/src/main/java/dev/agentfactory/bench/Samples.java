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
        long rank = rank(n, p);
        if (rank > measured.length) {
            return Double.POSITIVE_INFINITY;
        }
        long[] sorted = measured.clone();
        Arrays.sort(sorted);
        return sorted[(int) rank - 1];
    }

    /**
     * The nearest-rank {@code p}-th percentile (0..100) of samples that all came back; {@code samples} is sorted in
     * place (its last element is then the maximum). NaN when there are none.
     */
    public static double percentile(double[] samples, double p) {
        if (samples.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(samples);
        return samples[(int) rank(samples.length, p) - 1];
    }

    /** The 1-based nearest rank of the {@code p}-th percentile among {@code n} samples. */
    private static long rank(long n, double p) {
        return Math.max(1, Math.min(n, (long) Math.ceil(p / 100.0 * n)));
    }

    /** The mean of {@code expected} samples: +infinity when any of them failed or is missing, NaN when none was expected. */
    public static double mean(long[] measured, long expected) {
        if (expected > measured.length) {
            return Double.POSITIVE_INFINITY;
        }
        return measured.length == 0 ? Double.NaN : Arrays.stream(measured).mapToDouble(v -> v).sum() / measured.length;
    }
}
