package dev.agentfactory.bench.cdc;

import java.util.Arrays;

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

    synchronized long percentile(double p) {
        if (size == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.min(size - 1, Math.max(0, rank - 1))];
    }
}
