package dev.agentfactory.bench.dr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figures of one run, printed as {@code <benchmark>.<figure> <value> <unit>} as they are measured and
 * written together as JSON under the build output.
 */
final class Figures {

    private final String benchmark;
    private final Map<String, String> values = new LinkedHashMap<>();

    Figures(String benchmark) {
        this.benchmark = benchmark;
    }

    void put(String figure, double value, String unit) {
        String v = value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(java.util.Locale.ROOT, "%.2f", value);
        System.out.println(benchmark + "." + figure + " " + v + " " + unit);
        values.put(figure, v);
    }

    void writeJson(Path dir) throws IOException {
        Files.createDirectories(dir);
        String json = values.entrySet().stream().map(e -> "  \"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(",\n", "{\n", "\n}\n"));
        Path file = dir.resolve("bench-" + benchmark + ".json");
        Files.writeString(file, json);
        System.out.println("(figures written to " + file + ")");
    }
}
