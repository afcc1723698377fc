package dev.agentfactory.bench.query;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Figures of one benchmark run: printed as {@code <benchmark>.<figure> <value> <unit>} as they are
 * measured, and written as JSON under the build output at the end.
 */
final class Figures {

    private final String benchmark;
    private final List<String> json = new ArrayList<>();

    Figures(String benchmark) {
        this.benchmark = benchmark;
    }

    void add(String figure, double value, String unit) {
        String v = String.format(Locale.ROOT, value == Math.rint(value) && Math.abs(value) < 1e15 ? "%.0f" : "%.3f", value);
        System.out.println(benchmark + "." + figure + " " + v + " " + unit);
        json.add("  {\"name\": \"" + benchmark + "." + figure + "\", \"value\": " + v + ", \"unit\": \"" + unit + "\"}");
    }

    /** p50/p95/p99 in milliseconds of latencies measured in nanoseconds. */
    void percentiles(String figure, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        for (int p : new int[] {50, 95, 99}) {
            add(figure + "_p" + p + "_ms", sorted[(int) Math.ceil(p / 100.0 * sorted.length) - 1] / 1e6, "ms");
        }
    }

    Path write(Path root) throws IOException {
        Path file = root.resolve("bench/target/bench-results/" + benchmark + ".json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "[\n" + String.join(",\n", json) + "\n]\n");
        return file;
    }
}
