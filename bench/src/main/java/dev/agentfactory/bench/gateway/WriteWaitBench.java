package dev.agentfactory.bench.gateway;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.bench.ingest.WorkerRun;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * {@code bin/bench gateway writes}: agent updates with {@code Prefer: wait=5}, open loop, through the packaged
 * gateway and a real ingest worker (its own database, topics and group), answered twice: by the results topic
 * (the normal path, and the peer), and by the {@code processed_events} fallback alone, the gateway's results
 * listener pointed at a topic nobody publishes to, as when its consumer is not yet assigned or the worker's
 * results do not arrive. Last, with the worker stopped, every wait runs out (a 202 after 5 s), so
 * {@link #STALLED_RATE}/s hold about 2,000 waits at once on the fallback alone. Each run prints the answer's
 * p50/p99/max, which path answered, the fallback queries and the database transactions per second, the peaks
 * of pending waits and gateway threads, and the waits still pending once every answer is in (a leak).
 */
final class WriteWaitBench {

    static final String DB = "bench_gateway_wait";
    static final int AGENTS = 4_000;
    static final int WAIT_SECONDS = 5;
    static final int MAX_CONNECTIONS = 4_096;
    /** Writes answered one at a time; fallback answers take about 300 ms, and all must fit OpenLoopLoad#DRAIN. */
    static final int SERIAL = 50;
    /** What the whole write path (gateway, broker, worker, PostgreSQL) sustains on the 2-core host. */
    static final int[] RATES = rates(System.getProperty("bench.gateway.wait-rates", "200,400"));
    /** With nothing answered, each wait lasts {@link #WAIT_SECONDS}: 400/s keep 2,000 of them pending. */
    static final int STALLED_RATE = Integer.getInteger("bench.gateway.stalled-rate", 400);
    static final String PENDING = "factory_gateway_write_pending";
    static final String THREADS = "jvm_threads_live_threads";
    static final String OUTCOMES = "factory_gateway_write_outcomes_total";
    static final String POLLS = "factory_gateway_write_outcome_polls_total";

    /** One measured run: the load's result and what it cost inside the gateway and the database. */
    record Run(String variant, OpenLoopLoad.Result load, double byTopic, double byPoll, double polls,
               double dbTransactions, double pendingPeak, double threadsPeak, double pendingAfter) {
    }

    private WriteWaitBench() {
    }

    static List<Run> run(Path root, LocalStack stack, StackEndpoints endpoints, Map<String, String> base)
            throws Exception {
        List<UUID> ids = GatewaySeed.agents(stack.primary(), endpoints, DB, AGENTS);
        String tag = Long.toString(System.currentTimeMillis(), 36);
        Map<String, String> topics = Map.of("agent-topic", "bench.gateway.agent-writes." + tag,
                "prd-topic", "bench.gateway.prd-writes." + tag, "results-topic", "bench.gateway.results." + tag,
                "dlq-topic", "bench.gateway.dlq." + tag);
        String unpublished = "bench.gateway.results-unpublished." + tag;
        List<String> names = new ArrayList<>(topics.values());
        names.add(unpublished);
        StackTopics.create(endpoints.kafkaBootstrap(), GatewayBench.writeTopics(names));
        List<Run> runs = new ArrayList<>();
        Process worker = WorkerRun.start(root, root.resolve("bench/target/bench-work/gateway-wait"),
                endpoints.primaryJdbcUrl(DB), topics, "bench-gateway-wait-" + tag);
        try {
            for (String variant : List.of("topic", "fallback")) {
                Map<String, String> props = new LinkedHashMap<>(base);
                props.put("spring.datasource.url", endpoints.primaryJdbcUrl(DB));
                props.put("factory.gateway.topics.agent-writes", topics.get("agent-topic"));
                props.put("factory.gateway.topics.prd-writes", topics.get("prd-topic"));
                props.put("factory.gateway.topics.results",
                        variant.equals("topic") ? topics.get("results-topic") : unpublished);
                props.put("factory.gateway.topics.results-group", "bench-gateway-wait-" + tag);
                runs.addAll(variant(root, endpoints, variant, props, ids,
                        variant.equals("fallback") ? worker : null));
            }
        } finally {
            WorkerRun.stop(worker);
            StackTopics.delete(endpoints.kafkaBootstrap(), names);
        }
        return runs;
    }

    /** The runs of one gateway; with {@code stopAfter}, that worker is then stopped for the stalled run. */
    private static List<Run> variant(Path root, StackEndpoints endpoints, String variant, Map<String, String> props,
                                     List<UUID> ids, Process stopAfter) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (GatewayUnderTest gateway = new GatewayUnderTest(root, props);
             OpenLoopLoad load = new OpenLoopLoad("127.0.0.1", gateway.port, GatewaySeed.token(GatewayBench.SECRET),
                     MAX_CONNECTIONS)) {
            gateway.awaitHealthy(Duration.ofSeconds(120));
            GatewayMeters meters = new GatewayMeters(gateway.port, GatewayBench.SECRET);
            int[] n = {0};
            // Warm up until every wait is answered in time and, on the topic variant, by the topic: the worker
            // and the gateway's results consumer are both assigned before anything is measured.
            for (int attempt = 0; attempt < 15; attempt++) {
                Map<String, Double> before = meters.read();
                OpenLoopLoad.Result warm = load.send("warmup", 200, 600, i -> update(load, ids, n[0]++), 200);
                double polled = GatewayMeters.value(meters.read(), OUTCOMES, "source=\"poll\"")
                        - GatewayMeters.value(before, OUTCOMES, "source=\"poll\"");
                if (warm.errors() == 0 && (variant.equals("fallback") || polled == 0)) {
                    break;
                }
            }
            // One at a time: the answer's own latency on each path, without queueing behind other writes.
            runs.add(measure(endpoints, meters, variant, () -> load.serialRequests("wait_" + variant, SERIAL,
                    i -> update(load, ids, n[0]++), 200)));
            for (int rate : RATES) {
                runs.add(measure(endpoints, meters, variant, () -> load.send("wait_" + variant, rate,
                        rate * (int) GatewayBench.RUN.toSeconds(), i -> update(load, ids, n[0]++), 200)));
            }
            if (stopAfter != null) {
                WorkerRun.stop(stopAfter);
                runs.add(measure(endpoints, meters, "stalled", () -> load.send("wait_stalled", STALLED_RATE,
                        STALLED_RATE * (int) GatewayBench.RUN.toSeconds(), i -> update(load, ids, n[0]++), 202)));
            }
        }
        return runs;
    }

    private static Run measure(StackEndpoints endpoints, GatewayMeters meters, String variant,
                               Supplier<OpenLoopLoad.Result> load) throws Exception {
        Map<String, Double> before = meters.read();
        long xactBefore = transactions(endpoints);
        OpenLoopLoad.Result r;
        double pendingPeak;
        double threadsPeak;
        try (GatewayMeters.Peaks peaks = meters.new Peaks(100, PENDING, THREADS)) {
            r = load.get();
            pendingPeak = peaks.max(PENDING);
            threadsPeak = peaks.max(THREADS);
        }
        Map<String, Double> after = meters.read();
        double seconds = r.seconds();
        return new Run(variant, r, delta(before, after, OUTCOMES, "source=\"topic\""),
                delta(before, after, OUTCOMES, "source=\"poll\""), delta(before, after, POLLS, "") / seconds,
                (transactions(endpoints) - xactBefore) / seconds, pendingPeak, threadsPeak,
                GatewayMeters.value(after, PENDING, ""));
    }

    private static int[] rates(String list) {
        return java.util.Arrays.stream(list.split(",")).mapToInt(r -> Integer.parseInt(r.trim())).toArray();
    }

    private static byte[] update(OpenLoopLoad load, List<UUID> ids, int i) {
        return load.request("PATCH", "/api/v1/agents/" + ids.get(i % ids.size()),
                "Content-Type: application/merge-patch+json\r\nPrefer: wait=" + WAIT_SECONDS + "\r\n",
                "{\"name\":\"waited " + i + "\"}");
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String label) {
        return GatewayMeters.value(after, name, label) - GatewayMeters.value(before, name, label);
    }

    /**
     * Committed and rolled-back transactions of the benchmark's database so far: every statement of the gateway
     * (autocommit) and every batch of the worker. Backends report them at most once a second, so a delta over a
     * few seconds is close, not exact.
     */
    private static long transactions(StackEndpoints endpoints) throws Exception {
        try (Connection c = DriverManager.getConnection(endpoints.primaryJdbcUrl(DB), endpoints.superuser(),
                endpoints.superuserPassword());
             PreparedStatement s = c.prepareStatement(
                     "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ?")) {
            s.setString(1, DB);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
