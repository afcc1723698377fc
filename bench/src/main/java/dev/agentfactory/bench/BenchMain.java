package dev.agentfactory.bench;

import java.util.Arrays;
import java.util.List;

import dev.agentfactory.bench.ingest.IngestBenchmark;

/**
 * {@code bin/bench NAME}: one benchmark against the local stack. Each prints its figures one per line
 * as {@code <benchmark>.<figure> <value> <unit>}, with the comparison it measured in the same run.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argv = List.of(args);
        String name = argv.isEmpty() ? "help" : argv.get(0);
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (name) {
            case "ingest" -> IngestBenchmark.main(rest);
            default -> {
                System.err.println("usage: bench <name> [options]\n"
                        + "  ingest [--events N] [--rate R] [--seconds S]   worker vs raw upsert vs Debezium JDBC sink");
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
        System.exit(0);
    }
}
