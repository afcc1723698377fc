package dev.agentfactory.bench.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * One round of the ingest benchmark on a fresh database and fresh topics: the peer drains the workload,
 * then the worker does, each started right after a checkpoint; optionally the worker's latency probe. A drain
 * counts only when its rows are right: after each, the contender's table must hold every id of the workload at
 * its final version (and the worker's dead-letter topic must be empty), or the round fails with no figures.
 */
final class IngestRound {

    static final String DATABASE = "bench_ingest";

    /**
     * @param latency       p50, p99 and max ms at the probe's rate, or null when not probed
     * @param databaseAlone the database writing the worker's rows by itself ({@link DatabaseAlone}), or null when
     *                      not measured (no peer either)
     */
    record Result(Progress.Drain peer, Progress.Drain worker, double[] latency, DatabaseAlone.Result databaseAlone) {
    }

    private final Path root;
    private final LocalStack stack;
    private final StackEndpoints s;
    private final Workload workload;
    private final Set<String> created = new HashSet<>();

    IngestRound(Path root, LocalStack stack, StackEndpoints s, Workload workload) {
        this.root = root;
        this.stack = stack;
        this.s = s;
        this.workload = workload;
    }

    /** A freshly created and migrated benchmark database, and its URL. */
    BenchDatabase freshDatabase() {
        stack.primary().dropDatabase(DATABASE);
        stack.primary().createDatabase(DATABASE);
        String url = s.primaryJdbcUrl(DATABASE);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        return new BenchDatabase(url, s.superuser(), s.superuserPassword());
    }

    /** @param probe the workload of the latency probe and its rate, or null for none */
    Result run(String tag, boolean withPeer, List<Workload.Row> probe, int rate) throws Exception {
        BenchDatabase database = freshDatabase();
        String url = database.url();
        String peerTopic = "bench.peer." + tag;
        Map<String, String> topics = Map.of("agent-topic", "bench.agent-writes." + tag,
                "prd-topic", "bench.prd-writes." + tag, "results-topic", "bench.results." + tag,
                "dlq-topic", "bench.dlq." + tag);
        Map<String, Integer> partitions = Map.of(peerTopic, 6, topics.get("agent-topic"), 6, topics.get("prd-topic"), 6,
                topics.get("results-topic"), 6, topics.get("dlq-topic"), 1);
        StackTopics.create(s.kafkaBootstrap(), partitions);
        created.addAll(partitions.keySet());
        Progress.Drain peer = withPeer ? peer(database, peerTopic, "peer_agents_" + tag) : Progress.Drain.NONE;
        try (WriteProducer producer = new WriteProducer(s.kafkaBootstrap(),
                Map.of("linger.ms", 20, "batch.size", 256 * 1024), topics.get("agent-topic"),
                topics.get("prd-topic"))) {
            WorkerRun.fill(producer, workload.rows());
            String group = "bench-ingest-" + tag;
            database.checkpoint();
            Process worker = WorkerRun.start(root, root.resolve("bench/target/bench-work/ingest/worker"), url, topics,
                    group);
            Progress.Drain drain;
            double[] latency;
            DatabaseAlone alone = withPeer
                    ? new DatabaseAlone(database, root.resolve("bench/target/bench-work/ingest/alone")) : null;
            try {
                int events = workload.rows().size();
                drain = Progress.await(url, s.superuser(), s.superuserPassword(), events,
                        Duration.ofMinutes(10), c -> BenchDatabase.offsetProgress(c, group, events), worker,
                        new CpuMeter(DATABASE));
                // Offsets at the end say the worker read every record, not that it stored them.
                database.verifyRows("the worker", "factory.agents", workload.distinctIds(), workload.finalVersionSum());
                long deadLetters = StackTopics.records(s.kafkaBootstrap(), topics.get("dlq-topic"));
                if (deadLetters != 0) {
                    throw new IllegalStateException("the worker dead-lettered " + deadLetters
                            + " records of the workload: its drain is no figure");
                }
                if (alone != null) {
                    alone.markDrainEnd();   // before the probe adds its rows
                }
                latency = probe == null ? null : probe(topics, probe, rate);
            } finally {
                WorkerRun.stop(worker);
            }
            DatabaseAlone.Result aloneResult = null;
            if (alone != null) {
                aloneResult = alone.replay();
                database.verifyRows("the database alone", "factory.agents", workload.distinctIds(),
                        workload.finalVersionSum());
            }
            return new Result(peer, drain, latency, aloneResult);
        }
    }

    /**
     * The probe publishes as an agent does, with the client's own settings: the fill's producer lingers 20 ms to
     * fill 256 KB batches, which at 2,000 writes/s over twelve partitions held most writes for most of that linger.
     */
    private double[] probe(Map<String, String> topics, List<Workload.Row> probe, int rate) throws Exception {
        try (WriteProducer agent = new WriteProducer(s.kafkaBootstrap(), Map.of(), topics.get("agent-topic"),
                topics.get("prd-topic"))) {
            return LatencyProbe.run(s.kafkaBootstrap(), agent, topics.get("results-topic"), probe, rate);
        }
    }

    /**
     * Deletes the topics of every round. Not between rounds: with a deletion still settling on the broker,
     * the next round's producer got out-of-order-sequence errors and that round's peer drain never completed.
     */
    void deleteTopics() throws Exception {
        StackTopics.delete(s.kafkaBootstrap(), created);
        created.clear();
    }

    private Progress.Drain peer(BenchDatabase database, String topic, String table) throws Exception {
        String url = database.url();
        List<Workload.Row> lastRows = PeerSink.fill(s.kafkaBootstrap(), topic, workload.rows());
        database.createPeerTable(table);
        database.checkpoint();
        Process peer = PeerSink.start(root, root.resolve("bench/target/bench-work/ingest/peer"), s.kafkaBootstrap(),
                topic, url, s.superuser(), s.superuserPassword(), table);
        try {
            Progress.Drain drain = Progress.await(url, s.superuser(), s.superuserPassword(), workload.rows().size(),
                    Duration.ofMinutes(10), new BenchDatabase.PeerProgress(table, lastRows), peer,
                    new CpuMeter(DATABASE));
            database.verifyRows("the peer", "public.\"" + table + "\"", workload.distinctIds(),
                    workload.finalVersionSum());
            return drain;
        } finally {
            PeerSink.stop(peer);
        }
    }
}
