package dev.agentfactory.bench.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.bench.Figures;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * {@code bin/bench gateway accepted}: the plain write path, agent updates (JSON merge patch) answered
 * {@code 202 Accepted} once the broker has the record, at the reads' rates (500 and 2,000/s, open loop), with no
 * worker: the writes land in topics of the run's own that nothing consumes. Twice per rate, without an
 * {@code Idempotency-Key} (codec and producer only) and with a distinct one per request (also the Redis
 * fingerprint and the {@code processed_events} lookup), beside the no-op peer at the same rate. Prints
 * p50/p99/max, achieved rate, errors, the gateway's GC pauses and peak threads per run, and, as a check that a
 * 202 means a record, the records in the topic beside the 202s answered.
 */
final class AcceptedWriteBench {

    static final String DB = "bench_gateway_accepted";
    static final int AGENTS = 1_000;
    static final int WARMUP = 4_000;
    static final int SERIAL = 1_000;
    static final String THREADS = "jvm_threads_live_threads";

    /**
     * One measured run and what it cost inside the gateway: GC pauses (count, max, sum in ms), peak threads, and
     * CPU per request (the whole process's, background included: on a shared host it moves less than latency).
     */
    record Run(OpenLoopLoad.Result load, double[] gc, double threadsPeak, double cpuMicrosPerRequest) {
    }

    private AcceptedWriteBench() {
    }

    static void run(Path root, LocalStack stack, StackEndpoints endpoints, Map<String, String> base, Figures figures)
            throws Exception {
        List<UUID> ids = GatewaySeed.agents(stack.primary(), endpoints, DB, AGENTS);
        String tag = Long.toString(System.currentTimeMillis(), 36);
        String agentTopic = "bench.gateway.accepted.agent-writes." + tag;
        List<String> topics = List.of(agentTopic, "bench.gateway.accepted.prd-writes." + tag,
                "bench.gateway.accepted.results." + tag);
        StackTopics.create(endpoints.kafkaBootstrap(), GatewayBench.writeTopics(topics));
        Map<String, String> props = new LinkedHashMap<>(base);
        props.put("spring.datasource.url", endpoints.primaryJdbcUrl(DB));
        props.put("factory.gateway.topics.agent-writes", agentTopic);
        props.put("factory.gateway.topics.prd-writes", topics.get(1));
        props.put("factory.gateway.topics.results", topics.get(2));
        props.put("factory.gateway.topics.results-group", "bench-gateway-accepted-" + tag);
        // The fingerprints of the keyed runs' writes need not outlive the benchmark in the shared Redis.
        props.put("factory.gateway.writes.idempotency-ttl", "10m");
        List<Run> runs = new ArrayList<>();
        long accepted = 0;
        try (GatewayUnderTest gateway = new GatewayUnderTest(root, props);
             OpenLoopLoad load = new OpenLoopLoad("127.0.0.1", gateway.port, GatewaySeed.token(GatewayBench.SECRET))) {
            gateway.awaitHealthy(Duration.ofSeconds(120));
            GatewayMeters meters = new GatewayMeters(gateway.port, GatewayBench.SECRET);
            int[] n = {0};
            IntFunction<byte[]> plain = i -> update(load, ids, n[0]++, null);
            IntFunction<byte[]> keyed = i -> {
                int k = n[0]++;
                return update(load, ids, k, tag + "-" + k);
            };
            // Warm-up of both paths (JIT, producer connections, Redis and Hikari pools) and of the peer.
            accepted += load.send("warmup", 1_000, WARMUP, plain, 202).latencies().length;
            accepted += load.send("warmup_keyed", 1_000, WARMUP, keyed, 202).latencies().length;
            GatewayBench.peer(load, 1_000, WARMUP);
            // One at a time: each path's service time without queueing behind others or waiting for a CPU.
            runs.add(measure(gateway, meters, () -> load.serial("peer_liveness", SERIAL, i -> "/api/v1/health/liveness")));
            runs.add(measure(gateway, meters, () -> load.serialRequests("accepted", SERIAL, plain, 202)));
            runs.add(measure(gateway, meters, () -> load.serialRequests("accepted_keyed", SERIAL, keyed, 202)));
            for (int rate : GatewayBench.RATES) {
                int count = rate * (int) GatewayBench.RUN.toSeconds();
                runs.add(measure(gateway, meters, () -> GatewayBench.peer(load, rate, count)));
                runs.add(measure(gateway, meters, () -> load.send("accepted", rate, count, plain, 202)));
                runs.add(measure(gateway, meters, () -> load.send("accepted_keyed", rate, count, keyed, 202)));
            }
        } finally {
            try {
                long records = StackTopics.records(endpoints.kafkaBootstrap(), agentTopic);
                for (Run r : runs) {
                    accepted += r.load().name().startsWith("accepted") ? r.load().latencies().length : 0;
                }
                // Fewer records than 202s would be acknowledged writes lost; more, writes answered late or 503
                // (counted in errors) that the producer still delivered.
                figures.put("accepted_answers_202", accepted, "count");
                figures.put("accepted_records_in_topic", records, "count");
            } finally {
                StackTopics.delete(endpoints.kafkaBootstrap(), topics);
            }
        }
        report(runs, figures);
    }

    private static Run measure(GatewayUnderTest gateway, GatewayMeters meters,
                               Supplier<OpenLoopLoad.Result> load) throws Exception {
        double from = gateway.uptimeSeconds();
        double cpu = gateway.cpuMillis();
        OpenLoopLoad.Result r;
        double threads;
        try (GatewayMeters.Peaks peaks = meters.new Peaks(1_000, THREADS)) {
            r = load.get();
            threads = peaks.max(THREADS);
        }
        double cpuMicros = (gateway.cpuMillis() - cpu) * 1000 / Math.max(1, r.latencies().length + r.errors());
        return new Run(r, gateway.gcPauses(from, gateway.uptimeSeconds()), threads, cpuMicros);
    }

    private static void report(List<Run> runs, Figures figures) {
        for (Run run : runs) {
            OpenLoopLoad.Result r = run.load();
            String p = r.name() + r.rateLabel();
            r.putAnswerTimes(figures, p);
            figures.put(p + "gc_pauses", run.gc()[0], "count");
            figures.put(p + "gc_pause_max_ms", run.gc()[1], "ms");
            figures.put(p + "threads_peak", run.threadsPeak(), "count");
            if (r.rate() > 0) {
                // a serial run lasts about a second: the background's CPU (consumers, scrapes) would dominate
                figures.put(p + "cpu_us_per_request", run.cpuMicrosPerRequest(), "us");
            }
        }
        int top = GatewayBench.RATES[GatewayBench.RATES.length - 1];
        double peer = p99(runs, "peer_liveness", top);
        double plain = p99(runs, "accepted", top);
        double keyed = p99(runs, "accepted_keyed", top);
        figures.put("accepted_" + top + "rps_p99_over_peer_ms", plain - peer, "ms");
        figures.put("accepted_keyed_" + top + "rps_p99_over_peer_ms", keyed - peer, "ms");
        long errors = runs.stream().filter(r -> r.load().name().startsWith("accepted") && r.load().rate() > 0)
                .mapToLong(r -> r.load().errors()).sum();
        // p99s count failed writes as slower than any answer: with errors above 1 % of a run, its p99 is inf
        System.out.printf(Locale.ROOT, "# 202 writes at %d/s: p99 %.1f ms (keyed %.1f ms) vs no-op peer %.1f ms; "
                + "%d writes failed in the open-loop runs%n", top, plain, keyed, peer, errors);
    }

    private static double p99(List<Run> runs, String name, int rate) {
        return runs.stream().filter(r -> r.load().name().equals(name) && r.load().rate() == rate)
                .mapToDouble(r -> r.load().percentileMs(99)).max().orElse(Double.NaN);
    }

    private static byte[] update(OpenLoopLoad load, List<UUID> ids, int i, String idempotencyKey) {
        return load.request("PATCH", "/api/v1/agents/" + ids.get(i % ids.size()),
                "Content-Type: application/merge-patch+json\r\n"
                        + (idempotencyKey == null ? "" : "Idempotency-Key: bench-" + idempotencyKey + "\r\n"),
                "{\"name\":\"accepted " + i + "\",\"metadata\":{\"team\":\"bench\",\"n\":" + i + "}}");
    }

}
