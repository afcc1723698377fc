package dev.agentfactory.bench;

import java.util.List;

import dev.agentfactory.bench.cdc.CdcBench;

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
        List<String> rest = argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
        switch (name) {
            case "cdc" -> System.exit(CdcBench.run(rest));
            default -> {
                System.err.println("usage: bench <name>\n  cdc [events/s=2000] [seconds=30] [changes/tx=40]"
                        + "  commit -> audit topic, Redis and standby lag through the CDC relay");
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
    }
}
