package dev.agentfactory.bench;

import java.util.List;

import dev.agentfactory.bench.cdc.CdcBench;
import dev.agentfactory.bench.dr.DrBench;
import dev.agentfactory.bench.gateway.GatewayBench;
import dev.agentfactory.bench.ingest.IngestBenchmark;
import dev.agentfactory.bench.query.QueryBench;

/**
 * {@code bin/bench NAME}: one benchmark against the local stack. Each prints its figures one per line
 * as {@code <benchmark>.<figure> <value> <unit>}, with the comparison it measured in the same run.
 */
public final class BenchMain {

    private static final String USAGE = """
            usage: bench <name> [options]
              ingest [--events N] [--rate R] [--seconds S] [--rounds N] [--worker-only]
                                                          worker vs raw upsert vs Debezium JDBC sink, latency at R/s;
                                                          --rounds: medians of N peer/worker pairs; --worker-only: the
                                                          worker's drain alone, for tuning (no ratios, nothing saved)
              query [iterations]                          store read latency with 100,000 agents and PRDs
              cdc [events/s=2000] [seconds=30] [changes/tx=40]
                                                          commit -> audit topic, Redis and standby lag
              gateway [reads|writes|accepted]             GET hit/miss and list latency at 500 and 2,000 req/s;
                                                          writes with Prefer: wait=5 answered by the results
                                                          topic vs by the processed_events fallback; accepted:
                                                          202 writes (no wait, no worker) at 500 and 2,000/s
              dr                                          backup, restore + replay and failover of 1,000,000 rows""";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argv = List.of(args);
        String name = argv.isEmpty() ? "help" : argv.get(0);
        List<String> rest = argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
        switch (name) {
            case "ingest" -> IngestBenchmark.main(rest.toArray(String[]::new));
            case "query" -> QueryBench.run(argv);
            case "gateway" -> System.exit(GatewayBench.run(rest));
            case "cdc" -> System.exit(CdcBench.run(rest));
            case "dr" -> DrBench.main(rest);
            default -> {
                System.err.println(USAGE);
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
    }
}
