package dev.agentfactory.bench.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.bench.Figures;
import dev.agentfactory.bench.Verdict;
import dev.agentfactory.contracts.Topics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.store.Cursor;

/**
 * {@code bin/bench gateway}: the packaged gateway on loopback against the local stack, with its own
 * database of seeded agents and its own cache prefix, driven open-loop at 500 and 2,000 requests/s:
 * GET by id served from Redis (hit), GET by id of agents never read before (miss: Redis, then
 * PostgreSQL, then the cache write), and a first list page: steady (served from the gateway's first-page
 * cache), while {@link #CHANGES_PER_S} agent changes a second end its epoch, and after a cursor (never
 * cached, the database path). Prints the mean and p50/p95/p99 per run (over every request: a failed one counts
 * as slower than any answer) and the headline figures beside their targets (p99 ≤ 10 ms on hits, p95 ≤ 50 ms on
 * lists, the worse of steady and changing; the users' bar is p95 < 300 ms; the mean of every read far under
 * 200 ms) and the no-op peer's p99 of the same run. A target is met only by runs without errors, and the list's
 * only with the churn at its rate. Returns 1 when a target is missed.
 */
public final class GatewayBench {

    static final String SECRET = "bench-secret-for-the-gateway-benchmark-0123456789";
    static final String DB = "bench_gateway";
    static final int HOT = 1_000;
    static final int WARM_MISSES = 2_000;
    static final int SERIAL = 500;
    static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.gateway.seconds", 5));
    static final int[] RATES = {500, 2_000};
    /** Agent changes per second while {@code list_changing} runs, each ending the cached page's epoch. */
    static final int CHANGES_PER_S = 20;
    /** The target of the mean latency of reads: "average query latency far under 200 ms". */
    static final int MEAN_TARGET_MS = 200;
    /** The gateway's read runs (the no-op peer and the serial runs aside). */
    static final List<String> READS = List.of("get_hit", "get_miss", "list", "list_changing", "list_uncached");

    private GatewayBench() {
    }

    /**
     * {@code reads}, {@code writes} ({@link WriteWaitBench}), {@code accepted} ({@link AcceptedWriteBench}) or,
     * with no argument, reads and writes (accepted adds more than a minute: gateway start, seeding, warm-up).
     */
    public static int run(List<String> args) throws Exception {
        String scenario = args.isEmpty() ? "all" : args.get(0);
        if (!List.of("all", "reads", "writes", "accepted").contains(scenario)) {
            throw new IllegalArgumentException("bench gateway [reads|writes|accepted], not " + scenario);
        }
        Path root = Figures.projectRoot().normalize();
        LocalStack stack = LocalStack.fromEnvironment();
        StackEndpoints endpoints = stack.ensureRunning();
        Figures figures = new Figures("gateway");
        Verdict verdict = Verdict.require(true, "");
        if (scenario.equals("accepted")) {
            String prefix = "bench-gateway-accepted-" + Long.toString(System.currentTimeMillis(), 36);
            AcceptedWriteBench.run(root, stack, endpoints, baseProperties(endpoints, prefix), figures);
        }
        if (scenario.equals("all") || scenario.equals("reads")) {
            verdict = verdict.and(reads(root, stack, endpoints, figures));
        }
        if (scenario.equals("all") || scenario.equals("writes")) {
            String prefix = "bench-gateway-wait-" + Long.toString(System.currentTimeMillis(), 36);
            verdict = verdict.and(WaitReport.put(figures,
                    WriteWaitBench.run(root, stack, endpoints, baseProperties(endpoints, prefix))));
        }
        figures.put("host_cores", Runtime.getRuntime().availableProcessors(), "count");
        figures.put("host_load_1m", loadAverage(), "load");
        System.out.println("# figures written to " + figures.write(root));
        return verdict.met() ? 0 : 1;
    }

    /** What every gateway of the benchmark shares: the stack's connections, the token secret, quiet logs. */
    private static Map<String, String> baseProperties(StackEndpoints endpoints, String cachePrefix) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", endpoints.primaryJdbcUrl(DB));
        props.put("spring.kafka.bootstrap-servers", endpoints.kafkaBootstrap());
        props.put("spring.data.redis.url", endpoints.redisUrl());
        props.put("factory.gateway.security.jwt-secret", SECRET);
        props.put("factory.gateway.cache.prefix", cachePrefix);
        props.put("logging.level.root", "WARN");
        return props;
    }

    private static Verdict reads(Path root, LocalStack stack, StackEndpoints endpoints, Figures figures)
            throws Exception {
        int misses = 0;
        for (int rate : RATES) {
            misses += rate * (int) RUN.toSeconds();
        }
        List<UUID> ids = GatewaySeed.agents(stack.primary(), endpoints, DB, HOT + WARM_MISSES + SERIAL + misses);
        String prefix = "bench-gateway-" + Long.toString(System.currentTimeMillis(), 36);
        Map<String, String> props = baseProperties(endpoints, prefix);
        try (GatewayUnderTest gateway = new GatewayUnderTest(root, props);
             OpenLoopLoad load = new OpenLoopLoad("127.0.0.1", gateway.port, GatewaySeed.token(SECRET))) {
            gateway.awaitHealthy(Duration.ofSeconds(120));
            // Warm-up of every path (JIT, pools), which also puts the hot set into Redis.
            load.run("warmup", 500, 2_500, i -> "/api/v1/agents/" + ids.get(i % HOT), 200);
            load.run("warmup-miss", 500, WARM_MISSES, i -> "/api/v1/agents/" + ids.get(HOT + i), 200);
            load.run("warmup-list", 500, 2_000, i -> "/api/v1/agents?limit=50", 200);
            List<OpenLoopLoad.Result> results = new ArrayList<>();
            Map<Integer, Double> churned = new LinkedHashMap<>();
            double measuredFrom = gateway.uptimeSeconds();
            int serialFrom = HOT + WARM_MISSES;
            results.add(load.serial("serial_liveness", SERIAL, i -> "/api/v1/health/liveness"));
            results.add(load.serial("serial_get_hit", SERIAL, i -> "/api/v1/agents/" + ids.get(i % HOT)));
            results.add(load.serial("serial_get_miss", SERIAL, i -> "/api/v1/agents/" + ids.get(serialFrom + i)));
            results.add(load.serial("serial_list", SERIAL, i -> "/api/v1/agents?limit=50"));
            int next = serialFrom + SERIAL;
            // A cursor above every row: the first page's rows, through the uncached (cursor) path.
            String top = Cursor.encode(Instant.now().plus(Duration.ofDays(365)), new UUID(0, 0));
            for (int rate : RATES) {
                int count = rate * (int) RUN.toSeconds();
                results.add(peer(load, rate, count));
                results.add(load.run("get_hit", rate, count, i -> "/api/v1/agents/" + ids.get(i % HOT), 200));
                int from = next;
                results.add(load.run("get_miss", rate, count, i -> "/api/v1/agents/" + ids.get(from + i), 200));
                next += count;
                results.add(load.run("list", rate, count, i -> "/api/v1/agents?limit=50", 200));
                ListChurn churn = new ListChurn(endpoints, DB, prefix, ids.subList(0, HOT), CHANGES_PER_S);
                try (churn) {
                    results.add(load.run("list_changing", rate, count, i -> "/api/v1/agents?limit=50", 200));
                }
                churned.put(rate, churn.perSecond());
                // A page after a cursor is never cached: what every list read would cost without the cache.
                results.add(load.run("list_uncached", rate, count, i -> "/api/v1/agents?limit=50&cursor=" + top, 200));
            }
            return report(results, churned, gateway.gcPausesSince(measuredFrom), figures);
        }
    }

    /**
     * The peer of every gateway run: the same HTTP stack (Tomcat, filters, JSON) without token, Redis, database
     * or Kafka, at the same rate in the same run, to separate the host's and the load generator's cost from the
     * gateway's own.
     */
    static OpenLoopLoad.Result peer(OpenLoopLoad load, int rate, int count) {
        return load.run("peer_liveness", rate, count, i -> "/api/v1/health/liveness", 200);
    }

    /** The write benches' own topics, each with the write topics' partitions, as {@link StackTopics} takes them. */
    static Map<String, Integer> writeTopics(Collection<String> names) {
        return names.stream().collect(Collectors.toMap(n -> n, n -> Topics.WRITE_PARTITIONS));
    }

    private static Verdict report(List<OpenLoopLoad.Result> results, Map<Integer, Double> churned, double[] gc,
                                  Figures figures) {
        for (OpenLoopLoad.Result r : results) {
            String p = r.name() + (r.rate() > 0 ? "_" + r.rate() + "rps_" : "_");
            figures.put(p + "mean_ms", r.meanMs(), "ms");
            figures.put(p + "p50_ms", r.percentileMs(50), "ms");
            figures.put(p + "p95_ms", r.percentileMs(95), "ms");
            figures.put(p + "p99_ms", r.percentileMs(99), "ms");
            figures.put(p + "achieved_per_s", r.achievedRate(), "1/s");
            figures.put(p + "errors", r.errors(), "count");
            if (r.name().equals("list_changing") && churned.containsKey(r.rate())) {
                figures.put(p + "changes_per_s", churned.get(r.rate()), "1/s");
            }
        }
        // Headline figures: the worst of the two rates, each beside its target and the same run's no-op peer.
        double hit = worst(results, "get_hit", 99);
        double list = Math.max(worst(results, "list", 95), worst(results, "list_changing", 95));
        double changes = churned.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        List<OpenLoopLoad.Result> reads = results.stream().filter(r -> r.rate() > 0 && READS.contains(r.name())).toList();
        double mean = reads.stream().mapToDouble(OpenLoopLoad.Result::meanMs).max().orElse(Double.NaN);
        figures.put("get_hit_p99_ms", hit, "ms");
        figures.put("get_hit_p99_target_ms", 10, "ms");
        figures.put("get_miss_p99_ms", worst(results, "get_miss", 99), "ms");
        figures.put("list_p95_ms", list, "ms");
        figures.put("list_p95_target_ms", 50, "ms");
        figures.put("users_bar_p95_ms", 300, "ms");
        figures.put("list_uncached_p95_ms", worst(results, "list_uncached", 95), "ms");
        // The churn's achieved rate (the slower of its runs), not the one it was asked for.
        figures.put("list_changes_per_s", changes, "1/s");
        figures.put("list_changes_target_per_s", CHANGES_PER_S, "1/s");
        // The mean of every read run (hit, miss, lists), the worst of them: the "average query latency" target.
        figures.put("read_mean_ms", mean, "ms");
        figures.put("read_mean_target_ms", MEAN_TARGET_MS, "ms");
        figures.put("read_errors", reads.stream().mapToInt(OpenLoopLoad.Result::errors).sum(), "count");
        figures.put("peer_liveness_p99_ms", worst(results, "peer_liveness", 99), "ms");
        // The gateway's GC pauses while it was measured: a long one shows up in every run's tail at once.
        figures.put("gateway_gc_pauses", gc[0], "count");
        figures.put("gateway_gc_pause_max_ms", gc[1], "ms");
        figures.put("gateway_gc_pause_total_ms", gc[2], "ms");
        Verdict hitVerdict = verdict(results, List.of("get_hit"), hit, 10);
        Verdict listVerdict = verdict(results, List.of("list", "list_changing"), list, 50)
                .and(Verdict.rate(changes, CHANGES_PER_S, Verdict.MIN_RATE_SHARE));
        Verdict meanVerdict = verdict(results, READS, mean, MEAN_TARGET_MS);
        System.out.printf(Locale.ROOT, "# hit p99 %.2f ms vs target 10 ms: %s; list p95 %.2f ms vs target 50 ms: %s%n",
                hit, hitVerdict.word(), list, listVerdict.word());
        System.out.printf(Locale.ROOT, "# read mean %.2f ms (worst run) vs target %d ms: %s%n", mean, MEAN_TARGET_MS,
                meanVerdict.word());
        return hitVerdict.and(listVerdict).and(meanVerdict);
    }

    /** {@code value} against {@code target}, failed by any error or missing answer in the open-loop runs of {@code names}. */
    static Verdict verdict(List<OpenLoopLoad.Result> results, List<String> names, double value, double target) {
        return OpenLoopLoad.Result.atMost(
                results.stream().filter(r -> r.rate() > 0 && names.contains(r.name())).toList(), value, target);
    }

    /** The host's 1-minute load average: other work on a shared machine shows up in every latency. */
    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static double worst(List<OpenLoopLoad.Result> results, String name, double p) {
        return results.stream().filter(r -> r.name().equals(name)).mapToDouble(r -> r.percentileMs(p)).max()
                .orElse(Double.NaN);
    }
}
