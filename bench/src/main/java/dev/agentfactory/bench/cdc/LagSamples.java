package dev.agentfactory.bench.cdc;

import java.util.Arrays;

import dev.agentfactory.bench.Samples;

/** Lag samples in milliseconds with nearest-rank percentiles; thread-safe appends. */
final class LagSamples {

    private long[] values = new long[1024];
    private long[] at = new long[1024];
    private int size;

    synchronized void add(long millis) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
            at = Arrays.copyOf(at, size * 2);
        }
        at[size] = System.currentTimeMillis();
        values[size++] = Math.max(0, millis);
    }

    /** Largest lag per window of {@code windowMs} since the first sample: shows whether the lag grows. */
    synchronized String maxByWindow(long windowMs) {
        if (size == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        long windowEnd = at[0] + windowMs;
        long max = 0;
        for (int i = 0; i < size; i++) {
            while (at[i] >= windowEnd) {
                out.append(max).append(' ');
                max = 0;
                windowEnd += windowMs;
            }
            max = Math.max(max, values[i]);
        }
        return out.append(max).toString();
    }

    synchronized int count() {
        return size;
    }

    /**
     * The nearest-rank percentile over the {@code expected} samples of a run: the ones that never arrived rank
     * above every lag measured (+infinity), so a percentile over what arrived does not pass for the run's.
     */
    synchronized double percentile(double p, long expected) {
        return Samples.percentile(Arrays.copyOf(values, size), expected, p);
    }
}
