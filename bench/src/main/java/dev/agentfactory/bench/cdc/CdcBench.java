package dev.agentfactory.bench.cdc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.bench.Figures;
import dev.agentfactory.bench.Verdict;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * {@code bin/bench cdc}: agent writes at a fixed rate (default 2,000 entity changes/s, worker-shaped
 * transactions) through the packaged relay, measuring commit → audit topic (the event's commit time to its
 * arrival at a consumer), commit → Redis and commit → standby (commit return to the new version being
 * readable, sampled once per transaction). Targets: p99 ≤ 1 s for audit and Redis, ≤ 2 s for the standby.
 * Percentiles are over every sample due (each event for audit, each transaction for Redis and the standby): one
 * that never arrived, or whose version was not seen within a minute, ranks above every lag measured. A target
 * is met only with every sample in, and only when the writer achieved at least {@link Verdict#MIN_RATE_SHARE} of the
 * offered rate: a slower writer offers the relay less than the figure claims.
 */
public final class CdcBench {

    private static final long AUDIT_TARGET_MS = 1000;
    private static final long REDIS_TARGET_MS = 1000;
    private static final long STANDBY_TARGET_MS = 2000;

    private final int rate;
    private final int seconds;
    private final int batch;
    private final String suffix = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    private final String db = "bench_cdc_" + suffix;
    private final String topic = "bench.cdc." + suffix + ".audit.agents";
    private final String prefix = "bench-cdc-" + suffix;
    private final Path root = Figures.projectRoot();
    private int cursor;

    private CdcBench(int rate, int seconds, int batch) {
        this.rate = rate;
        this.seconds = seconds;
        this.batch = batch;
    }

    /** Arguments: [events per second] [seconds] [changes per transaction]. */
    public static int run(List<String> args) throws Exception {
        int rate = args.size() > 0 ? Integer.parseInt(args.get(0)) : 2000;
        int seconds = args.size() > 1 ? Integer.parseInt(args.get(1)) : 30;
        int batch = args.size() > 2 ? Integer.parseInt(args.get(2)) : 40;
        return new CdcBench(rate, seconds, batch).run();
    }

    private int run() throws Exception {
        LocalStack stack = LocalStack.fromEnvironment();
        StackEndpoints e = stack.ensureRunning();
        Map<String, Integer> topics = Map.of(topic, 3, topic.replace("agents", "prds"), 1);
        StackTopics.create(e.kafkaBootstrap(), topics);
        try {
            return runRelay(stack, e);
        } finally {
            StackTopics.delete(e.kafkaBootstrap(), topics.keySet()); // after the relay has stopped producing
        }
    }

    private int runRelay(LocalStack stack, StackEndpoints e) throws Exception {
        stack.primary().createDatabase(db);
        stack.standby().createDatabase(db);
        Process relay = null;
        RedisClient redisClient = RedisClient.create(e.redisUrl());
        try {
            BenchRelay.migrate(root, e.primaryJdbcUrl(db));
            BenchRelay.migrate(root, e.standbyJdbcUrl(db));
            BenchWriter writer = new BenchWriter(connect(e.primaryJdbcUrl(db), e));
            List<UUID> agents = writer.seed(Math.max(2000, batch * 50));
            relay = new BenchRelay(root, db, prefix, topic).start(e);
            RedisCommands<String, String> redis = redisClient.connect().sync();
            awaitVisible(redis, agents.get(agents.size() - 1), 1, Duration.ofSeconds(120));
            return measure(e, writer, agents, redis, redisClient);
        } finally {
            if (relay != null) {
                relay.destroy();
                relay.waitFor(60, TimeUnit.SECONDS);
                relay.destroyForcibly();
            }
            cleanUp(stack, e, redisClient);
        }
    }

    private int measure(StackEndpoints e, BenchWriter writer, List<UUID> agents, RedisCommands<String, String> redis,
                        RedisClient redisClient) throws Exception {
        // warm-up: the same load, unmeasured, then wait until the relay has caught up
        int warmup = Integer.parseInt(System.getenv().getOrDefault("FACTORY_BENCH_CDC_WARMUP_S", "30"));
        BlockingQueue<Sample> last = new LinkedBlockingQueue<>();
        drive(writer, agents, warmup, List.of(last));
        Sample tail = null;
        for (Sample s = last.poll(); s != null; s = last.poll()) {
            tail = s;
        }
        if (tail != null) {
            long deadline = System.currentTimeMillis() + 120_000;
            while (versionInRedis(redisClient, tail.id()) < tail.version() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            if (versionInRedis(redisClient, tail.id()) < tail.version()) {
                System.err.println("warning: the relay had not caught up with the warm-up after 120 s;"
                        + " the measured run starts behind");
            }
        }
        LagSamples audit = new LagSamples();
        LagSamples redisLag = new LagSamples();
        LagSamples standbyLag = new LagSamples();
        BlockingQueue<Sample> redisQueue = new LinkedBlockingQueue<>();
        BlockingQueue<Sample> standbyQueue = new LinkedBlockingQueue<>();
        long loadStartMs = System.currentTimeMillis();
        AuditListener listener = new AuditListener(e.kafkaBootstrap(), topic, loadStartMs, audit);
        listener.start();
        Sampler redisSampler = new Sampler("redis", redisQueue, s -> versionInRedis(redisClient, s.id()), redisLag);
        Sampler standbySampler = new Sampler("standby", standbyQueue, standbyVersion(e), standbyLag);

        long start = System.nanoTime();
        long txs = drive(writer, agents, seconds, List.of(redisQueue, standbyQueue));
        double elapsed = (System.nanoTime() - start) / 1e9;
        long events = txs * batch;
        redisQueue.add(Sample.END);
        standbyQueue.add(Sample.END);
        redisSampler.finish(Duration.ofSeconds(120));
        standbySampler.finish(Duration.ofSeconds(120));
        long audited = listener.awaitCount(events, Duration.ofSeconds(60));
        listener.close();

        double achieved = events / elapsed;
        double auditP99 = audit.percentile(99, events);
        double redisP99 = redisLag.percentile(99, txs);
        double standbyP99 = standbyLag.percentile(99, txs);
        Figures f = new Figures("cdc");
        f.put("offered_events_per_s", rate, "1/s");
        f.put("events_per_s", Math.round(achieved), "1/s");
        f.put("audit_lag_p50_ms", audit.percentile(50, events), "ms");
        f.put("audit_lag_p99_ms", auditP99, "ms");
        f.put("redis_lag_p50_ms", redisLag.percentile(50, txs), "ms");
        f.put("redis_lag_p99_ms", redisP99, "ms");
        f.put("standby_lag_p50_ms", standbyLag.percentile(50, txs), "ms");
        f.put("standby_lag_p99_ms", standbyP99, "ms");
        f.put("audit_samples", audit.count(), "count");
        f.put("audit_samples_expected", events, "count");
        f.put("redis_samples", redisLag.count(), "count");
        f.put("standby_samples", standbyLag.count(), "count");
        f.put("tx_samples_expected", txs, "count");
        // the context of the figures: the relay shares the machine with the stack and the load generator
        f.put("machine_load_1m", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage(), "load");
        f.put("cpus", Runtime.getRuntime().availableProcessors(), "count");
        f.put("audit_lag_p99_target_ms", AUDIT_TARGET_MS, "ms");
        f.put("redis_lag_p99_target_ms", REDIS_TARGET_MS, "ms");
        f.put("standby_lag_p99_target_ms", STANDBY_TARGET_MS, "ms");
        System.out.println("# max lag per 5 s window, ms: audit [" + audit.maxByWindow(5000) + "] redis ["
                + redisLag.maxByWindow(5000) + "] standby [" + standbyLag.maxByWindow(5000) + "]");
        Verdict offered = Verdict.rate(achieved, rate, Verdict.MIN_RATE_SHARE);
        f.put("offered_rate_met", offered.met() ? 1 : 0, "bool");
        System.out.println("# offered rate: " + offered.why() + ": " + (offered.met() ? "PASS" : "FAIL (run invalid)"));
        Verdict auditOk = Verdict.atMost(auditP99, AUDIT_TARGET_MS, 0, audited, events)
                .and(Verdict.require(listener.failure() == null, "the audit listener died: " + listener.failure()));
        Verdict redisOk = Verdict.atMost(redisP99, REDIS_TARGET_MS, 0, redisLag.count(), txs)
                .and(redisSampler.health());
        Verdict standbyOk = Verdict.atMost(standbyP99, STANDBY_TARGET_MS, 0, standbyLag.count(), txs)
                .and(standbySampler.health());
        boolean ok = offered.met()
                & verdict("audit", auditP99, AUDIT_TARGET_MS, auditOk)
                & verdict("redis", redisP99, REDIS_TARGET_MS, redisOk)
                & verdict("standby", standbyP99, STANDBY_TARGET_MS, standbyOk);
        f.write(root);
        return ok ? 0 : 1;
    }

    /** Offers {@code rate} entity changes per second for {@code secs}; one sample per transaction. */
    private long drive(BenchWriter writer, List<UUID> agents, int secs, List<BlockingQueue<Sample>> queues)
            throws Exception {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * batch / rate;
        long start = System.nanoTime();
        long txs = (long) rate * secs / batch;
        for (long i = 0; i < txs; i++) {
            long wait = start + i * intervalNanos - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            List<UUID> ids = new ArrayList<>(batch);
            for (int k = 0; k < batch; k++) {
                ids.add(agents.get(cursor));
                cursor = (cursor + 1) % agents.size();
            }
            BenchWriter.Written w = writer.update(ids);
            Sample s = new Sample(w.id(), w.version(), System.currentTimeMillis());
            queues.forEach(q -> q.add(s));
        }
        return txs;
    }

    private static boolean verdict(String sink, double p99, long target, Verdict v) {
        System.out.printf(Locale.ROOT, "# %s p99 %s ms vs target <= %d ms: %s%n", sink,
                Double.isInfinite(p99) ? "inf" : String.format(Locale.ROOT, "%.0f", p99), target,
                v.met() ? "PASS" : "FAIL (" + v.why() + ")");
        return v.met();
    }

    /** One committed transaction to look for: its first agent's new version and the commit (return) time. */
    record Sample(UUID id, long version, long committedAtMs) {
        static final Sample END = new Sample(null, 0, 0);
    }

    interface VersionLookup {
        long version(Sample s) throws Exception;
    }

    /**
     * Looks each sample's version up until it is visible and records the lag; a version not seen within a minute
     * is no lag (the sample is missing, and counts as such in the percentiles).
     */
    private static final class Sampler {
        private final Thread thread;
        private volatile Throwable failure;
        private volatile long timedOut;

        Sampler(String name, BlockingQueue<Sample> queue, VersionLookup lookup, LagSamples lag) {
            thread = new Thread(() -> {
                try {
                    for (Sample s = queue.take(); s != Sample.END; s = queue.take()) {
                        long deadline = System.currentTimeMillis() + 60_000;
                        boolean seen;
                        while (!(seen = lookup.version(s) >= s.version()) && System.currentTimeMillis() < deadline) {
                            Thread.sleep(1);
                        }
                        if (seen) {
                            lag.add(System.currentTimeMillis() - s.committedAtMs());
                        } else {
                            timedOut++;
                        }
                    }
                } catch (Throwable ex) {
                    failure = ex;
                }
            }, "bench-" + name);
            thread.start();
        }

        /** Waits for the queue to be worked off, up to {@code timeout}; what is left by then is missing. */
        void finish(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(5_000);
                if (failure instanceof InterruptedException) {
                    failure = new IllegalStateException("did not work off its samples within " + timeout.toSeconds()
                            + " s");
                }
            }
        }

        /** Whether it worked off every sample; else why not (the samples are also missing from its count). */
        Verdict health() {
            return Verdict.require(failure == null, "the sampler stopped: " + failure)
                    .and(Verdict.require(timedOut == 0, timedOut + " versions not seen within 60 s"));
        }
    }

    private long versionInRedis(RedisClient client, UUID id) {
        return RedisVersion.of(client, prefix + ":agent:" + id);
    }

    private VersionLookup standbyVersion(StackEndpoints e) throws SQLException {
        Connection c = connect(e.standbyJdbcUrl(db), e);
        PreparedStatement ps = c.prepareStatement("SELECT version FROM factory.agents WHERE id = ?");
        return s -> {
            ps.setObject(1, s.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        };
    }

    private void awaitVisible(RedisCommands<String, String> redis, UUID id, long version, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String key = prefix + ":agent:" + id;
        while (redis.get(key) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("relay did not deliver the seed rows within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private void cleanUp(LocalStack stack, StackEndpoints e, RedisClient redisClient) throws Exception {
        try (Connection c = connect(e.primaryJdbcUrl("postgres"), e); Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                        + db + "' AND active")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                    + db + "'");
        }
        RedisVersion.deletePrefix(redisClient, prefix);
        redisClient.shutdown();
        stack.primary().dropDatabase(db);
        stack.standby().dropDatabase(db);
    }

    private static Connection connect(String url, StackEndpoints e) throws SQLException {
        return DriverManager.getConnection(url, e.superuser(), e.superuserPassword());
    }
}
