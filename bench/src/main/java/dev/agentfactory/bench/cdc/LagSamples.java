package dev.agentfactory.bench.cdc;

import java.util.Arrays;

/** Lag samples in milliseconds with nearest-rank percentiles; thread-safe appends. */
final class LagSamples {

    private long[] values = new long[1024];
    private int size;

    synchronized void add(long millis) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = Math.max(0, millis);
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
