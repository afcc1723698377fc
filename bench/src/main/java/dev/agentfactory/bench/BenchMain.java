package dev.agentfactory.bench;

import java.util.List;

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
            case "gateway" -> dev.agentfactory.bench.gateway.GatewayBench.run();
            default -> {
                System.err.println("usage: bench <name>\n  gateway   GET by id (cache hit, miss) and a list page at 500 and 2,000 req/s");
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
    }
}
