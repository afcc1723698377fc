package dev.agentfactory.bench.ingest;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import dev.agentfactory.bench.Figures;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * {@code bin/bench ingest}: the worker's sustained rate from a pre-filled topic, against two contenders
 * measured in the same run on the same rows — plain batched upserts over JDBC (the floor of doing less)
 * and the Debezium JDBC sink connector (the best-known Kafka → PostgreSQL sink) — then the worker's
 * produce → commit latency at a fixed rate.
 */
public final class IngestBenchmark {

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = intArg(args, "--events", 300_000);
        int rate = intArg(args, "--rate", 2_000);
        int seconds = intArg(args, "--seconds", 15);
        // For tuning the worker alone: no raw or peer contenders (so no ratios) and no latency probe.
        boolean workerOnly = List.of(args).contains("--worker-only");
        Path root = Figures.projectRoot();
        Path work = root.resolve("bench/target/bench-work/ingest");
        LocalStack stack = LocalStack.fromEnvironment();
        StackEndpoints s = stack.ensureRunning();
        String run = Long.toString(System.currentTimeMillis(), 36);
        String db = "bench_ingest";
        stack.primary().dropDatabase(db);
        stack.primary().createDatabase(db);
        String url = s.primaryJdbcUrl(db);
        BenchDatabase database = new BenchDatabase(url, s.superuser(), s.superuserPassword());
        // An idle slot makes the server zero-fill new WAL segments: figures from such a stack are not comparable.
        stack.primary().idleSlotsPinningWal(LocalStack.PINNED_WAL_WARNING_BYTES)
                .forEach(slot -> System.err.println("warning: " + slot + "; figures will be worse than on a clean stack"));
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();

        Workload workload = Workload.generate(events, 0.20, 42);
        Figures f = new Figures("ingest");
        f.put("events", events, "count");
        f.put("update_share", 0.20, "ratio");

        double raw = Double.NaN;
        if (!workerOnly) {
            database.checkpoint();
            raw = RawUpsert.run(url, s.superuser(), s.superuserPassword(), workload.rows());
        }
        f.put("raw_events_per_s", Math.rint(raw), "1/s");

        String peerTopic = "bench.peer." + run;
        Map<String, String> topics = Map.of("agent-topic", "bench.agent-writes." + run,
                "prd-topic", "bench.prd-writes." + run, "results-topic", "bench.results." + run,
                "dlq-topic", "bench.dlq." + run);
        createTopics(s.kafkaBootstrap(), Set.of(peerTopic, topics.get("agent-topic"), topics.get("prd-topic"),
                topics.get("results-topic")), Set.of(topics.get("dlq-topic")));

        Progress.Drain peerDrain = workerOnly ? Progress.Drain.NONE
                : peerDrain(root, work, s, url, db, database, peerTopic, "peer_agents_" + run, workload);
        f.put("peer_events_per_s", Math.rint(peerDrain.perSecond()), "1/s");
        f.put("peer_cpu_us_per_event", peerDrain.cpuMicrosPerEvent(), "us");
        f.put("peer_db_cpu_us_per_event", peerDrain.databaseCpuMicrosPerEvent(), "us");

        try (WriteProducer producer = new WriteProducer(s.kafkaBootstrap(),
                Map.of("linger.ms", 20, "batch.size", 256 * 1024), topics.get("agent-topic"), topics.get("prd-topic"))) {
            WorkerRun.fill(producer, workload.rows());
            String group = "bench-ingest-" + run;
            database.checkpoint();
            Process worker = WorkerRun.start(root, work.resolve("worker"), url, topics, group);
            try {
                Progress.Drain drain = Progress.await(url, s.superuser(), s.superuserPassword(), events,
                        Duration.ofMinutes(10), c -> BenchDatabase.offsetProgress(c, group, events), worker,
                        new CpuMeter(db));
                double perSecond = drain.perSecond();
                f.put("events_per_s", Math.round(perSecond), "1/s");
                f.put("raw_ratio", perSecond / raw, "ratio");
                f.put("peer_ratio", perSecond / peerDrain.perSecond(), "ratio");
                // CPU per event (contender process + its database backends): the rate ratio's noise-proof twin.
                f.put("cpu_us_per_event", drain.cpuMicrosPerEvent(), "us");
                f.put("db_cpu_us_per_event", drain.databaseCpuMicrosPerEvent(), "us");
                f.put("peer_cpu_ratio", peerDrain.cpuMicrosPerEvent() / drain.cpuMicrosPerEvent(), "ratio");
                f.put("target_events_per_s", 25_000, "1/s");
                if (!workerOnly) {
                    f.put("target_peer_ratio", 1.0, "ratio");
                }

                if (!workerOnly) {
                    List<Workload.Row> probe = Workload.generate(rate * seconds, 0.20, 4242).rows();
                    double[] lat = LatencyProbe.run(s.kafkaBootstrap(), producer, topics.get("results-topic"), probe,
                            rate);
                    f.put("p50_ms_at_" + rate, lat[0], "ms");
                    f.put("p99_ms_at_" + rate, lat[1], "ms");
                    f.put("max_ms_at_" + rate, lat[2], "ms");
                    f.put("target_p99_ms_at_" + rate, 200, "ms");
                }
            } finally {
                WorkerRun.stop(worker);
            }
        }
        if (!workerOnly) {   // a partial run must not replace the last full run's figures
            System.out.println("results: " + f.write(root));
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", s.kafkaBootstrap()))) {
            admin.deleteTopics(Set.of(peerTopic, topics.get("agent-topic"), topics.get("prd-topic"),
                    topics.get("results-topic"), topics.get("dlq-topic"))).all().get();
        }
    }

    private static Progress.Drain peerDrain(Path root, Path work, StackEndpoints s, String url, String db,
                                            BenchDatabase database, String topic, String table, Workload workload)
            throws Exception {
        PeerSink.fill(s.kafkaBootstrap(), topic, workload.rows());
        database.checkpoint();
        Process peer = PeerSink.start(root, work.resolve("peer"), s.kafkaBootstrap(), topic, url,
                s.superuser(), s.superuserPassword(), table);
        try {
            long distinct = workload.distinctIds();
            long versions = workload.finalVersionSum();
            return Progress.await(url, s.superuser(), s.superuserPassword(), workload.rows().size(),
                    Duration.ofMinutes(10), c -> BenchDatabase.tableProgress(c, table, distinct, versions), peer,
                    new CpuMeter(db));
        } finally {
            PeerSink.stop(peer);
        }
    }

    private static void createTopics(String bootstrap, Set<String> sixPartitions, Set<String> one) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = sixPartitions.stream().map(t -> new NewTopic(t, 6, (short) 1))
                    .collect(Collectors.toList());
            one.forEach(t -> topics.add(new NewTopic(t, 1, (short) 1)));
            admin.createTopics(topics).all().get();
        }
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
