package dev.agentfactory.bench.ingest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

import dev.agentfactory.bench.Figures;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * {@code bin/bench ingest}: the worker's sustained rate from a pre-filled topic, against two contenders
 * measured in the same run on the same rows — plain batched upserts over JDBC (the floor of doing less)
 * and the Debezium JDBC sink connector (the best-known Kafka → PostgreSQL sink) — and the database writing the
 * worker's own rows by itself ({@link DatabaseAlone}), then the worker's produce → commit latency at a fixed rate.
 * {@code --rounds N} repeats peer and worker drains in turns on fresh databases and reports medians, with each
 * round's ratio pairing contenders that ran side by side.
 */
public final class IngestBenchmark {

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = intArg(args, "--events", 300_000);
        int rate = intArg(args, "--rate", 2_000);
        int seconds = intArg(args, "--seconds", 15);
        int rounds = intArg(args, "--rounds", 1);
        // For tuning the worker alone: no raw or peer contenders (so no ratios) and no latency probe.
        boolean workerOnly = List.of(args).contains("--worker-only");
        Path root = Figures.projectRoot();
        LocalStack stack = LocalStack.fromEnvironment();
        StackEndpoints s = stack.ensureRunning();
        // An idle slot makes the server zero-fill new WAL segments: figures from such a stack are not comparable.
        stack.primary().idleSlotsPinningWal(LocalStack.PINNED_WAL_WARNING_BYTES)
                .forEach(slot -> System.err.println("warning: " + slot + "; figures will be worse than on a clean stack"));

        Workload workload = Workload.generate(events, 0.20, 42);
        IngestRound round = new IngestRound(root, stack, s, workload);
        Figures f = new Figures("ingest");
        f.put("events", events, "count");
        f.put("update_share", 0.20, "ratio");

        double raw = Double.NaN;
        if (!workerOnly) {
            BenchDatabase database = round.freshDatabase();
            database.checkpoint();
            raw = RawUpsert.run(database.url(), s.superuser(), s.superuserPassword(), workload.rows());
        }
        f.put("raw_events_per_s", Math.rint(raw), "1/s");

        String run = Long.toString(System.currentTimeMillis(), 36);
        List<IngestRound.Result> results = new ArrayList<>();
        try {
            for (int i = 0; i < rounds; i++) {
                boolean last = i == rounds - 1;
                List<Workload.Row> probe = last && !workerOnly ? Workload.generate(rate * seconds, 0.20, 4242).rows()
                        : null;
                IngestRound.Result r = round.run(run + "-" + i, !workerOnly, probe, rate);
                results.add(r);
                if (rounds > 1) {
                    System.err.printf("round %d: worker %.0f/s, peer %.0f/s%n", i + 1, r.worker().perSecond(),
                            r.peer().perSecond());
                }
            }
        } finally {
            round.deleteTopics();
        }

        double perSecond = median(results, r -> r.worker().perSecond());
        f.put("rounds", rounds, "count");
        f.put("peer_events_per_s", Math.rint(median(results, r -> r.peer().perSecond())), "1/s");
        f.put("peer_cpu_us_per_event", median(results, r -> r.peer().cpuMicrosPerEvent()), "us");
        f.put("peer_db_cpu_us_per_event", median(results, r -> r.peer().databaseCpuMicrosPerEvent()), "us");
        f.put("peer_jit_cpu_us_per_event", median(results, r -> r.peer().jitCpuMicrosPerEvent()), "us");
        f.put("events_per_s", Math.rint(perSecond), "1/s");
        // The events each drain's rate and CPU are over: those done after progress was first seen.
        f.put("timed_events", median(results, r -> r.worker().timedEvents()), "count");
        f.put("peer_timed_events", median(results, r -> r.peer() == Progress.Drain.NONE ? Double.NaN
                : r.peer().timedEvents()), "count");
        f.put("raw_ratio", perSecond / raw, "ratio");
        // The database writing the worker's own rows by itself: the ceiling of any worker that writes them.
        f.put("db_alone_events_per_s", Math.rint(median(results, r -> alone(r).perSecond())), "1/s");
        f.put("db_alone_cpu_us_per_event", median(results, r -> alone(r).cpuMicrosPerEvent()), "us");
        f.put("db_alone_events_per_tx", median(results, r -> alone(r).eventsPerTransaction()), "count");
        f.put("db_alone_ratio", median(results, r -> r.worker().perSecond() / alone(r).perSecond()), "ratio");
        f.put("peer_db_alone_ratio", median(results, r -> r.peer().perSecond() / alone(r).perSecond()), "ratio");
        f.put("peer_ratio", median(results, r -> r.worker().perSecond() / r.peer().perSecond()), "ratio");
        if (rounds > 1) {
            f.put("peer_ratio_min", min(results, r -> r.worker().perSecond() / r.peer().perSecond()), "ratio");
        }
        // CPU per event (contender process + its database backends): the rate ratio's noise-proof twin.
        f.put("cpu_us_per_event", median(results, r -> r.worker().cpuMicrosPerEvent()), "us");
        f.put("db_cpu_us_per_event", median(results, r -> r.worker().databaseCpuMicrosPerEvent()), "us");
        // Part of the process CPU above: JIT compiling in a cold JVM (both contenders start cold).
        f.put("jit_cpu_us_per_event", median(results, r -> r.worker().jitCpuMicrosPerEvent()), "us");
        f.put("peer_cpu_ratio", median(results, r -> r.peer().cpuMicrosPerEvent() / r.worker().cpuMicrosPerEvent()),
                "ratio");
        f.put("target_events_per_s", 25_000, "1/s");
        if (!workerOnly) {
            f.put("target_peer_ratio", 1.0, "ratio");
            double[] lat = results.get(results.size() - 1).latency();
            f.put("p50_ms_at_" + rate, lat[0], "ms");
            f.put("p99_ms_at_" + rate, lat[1], "ms");
            f.put("max_ms_at_" + rate, lat[2], "ms");
            f.put("target_p99_ms_at_" + rate, 200, "ms");
            System.out.println("results: " + f.write(root));   // a partial run keeps the last full run's file
        }
    }

    static double median(List<IngestRound.Result> results, ToDoubleFunction<IngestRound.Result> figure) {
        double[] v = results.stream().mapToDouble(figure).sorted().toArray();
        if (Arrays.stream(v).anyMatch(Double::isNaN)) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static DatabaseAlone.Result alone(IngestRound.Result r) {
        return r.databaseAlone() != null ? r.databaseAlone() : new DatabaseAlone.Result(Double.NaN, Double.NaN, Double.NaN);
    }

    private static double min(List<IngestRound.Result> results, ToDoubleFunction<IngestRound.Result> figure) {
        return results.stream().mapToDouble(figure).min().orElse(Double.NaN);
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
