package dev.agentfactory.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figures of one benchmark run: printed one per line as {@code <benchmark>.<figure> <value> <unit>}
 * as they are measured, and written together as JSON under {@code target/bench-results/}.
 */
public final class Figures {

    private final String benchmark;
    private final Map<String, String> json = new LinkedHashMap<>();

    public Figures(String benchmark) {
        this.benchmark = benchmark;
    }

    /**
     * Prints and records one figure; one that could not be measured (NaN) prints as n/a and stays out of the JSON.
     * One that is unbounded (+infinity: a percentile that falls on failed or missing samples) prints as inf and is
     * recorded with a null value and {@code "unbounded": true}.
     */
    public void put(String figure, double value, String unit) {
        if (value == Double.POSITIVE_INFINITY) {
            System.out.println(benchmark + "." + figure + " inf " + unit);
            System.out.flush();
            json.put(figure, "{\"value\":null,\"unbounded\":true,\"unit\":\"" + unit + "\"}");
            return;
        }
        if (!Double.isFinite(value)) {
            System.out.println(benchmark + "." + figure + " n/a " + unit);
            return;
        }
        String formatted = value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
        System.out.println(benchmark + "." + figure + " " + formatted + " " + unit);
        System.out.flush();
        json.put(figure, "{\"value\":" + formatted + ",\"unit\":\"" + unit + "\"}");
    }

    /** Writes {@code <root>/bench/target/bench-results/<benchmark>.json}; returns its path. */
    public Path write(Path projectRoot) {
        Path file = projectRoot.resolve("bench/target/bench-results/" + benchmark + ".json");
        String body = json.entrySet().stream().map(e -> "  \"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(",\n", "{\n", "\n}\n"));
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The checkout root: FACTORY_ROOT (bin/bench sets it) or the working directory. */
    public static Path projectRoot() {
        String root = System.getenv("FACTORY_ROOT");
        return Path.of(root != null && !root.isBlank() ? root : "").toAbsolutePath();
    }
}
