package dev.agentfactory.bench;

import java.util.List;

import dev.agentfactory.bench.dr.DrBench;
import dev.agentfactory.bench.query.QueryBench;

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
        switch (name) {
            case "query" -> QueryBench.run(argv);
            case "dr" -> DrBench.main(argv.subList(1, argv.size()));
            default -> {
                System.err.println("""
                        usage: bench <name>
                          query [iterations]   read latency of the store with 100,000 agents and PRDs
                          dr                   backup, restore + replay and failover of 1,000,000 rows""");
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
    }
}
