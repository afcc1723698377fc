package dev.agentfactory.bench.query;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntConsumer;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.bench.Figures;
import dev.agentfactory.bench.Samples;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.Store;
import dev.agentfactory.store.TransientRetry;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;

/**
 * {@code bin/bench query}: read latency of the store on PostgreSQL with 100,000 agents and 100,000 PRDs.
 * Measures get-by-id, get-by-slug and 50-row keyset list pages (first page, a page at a random depth,
 * filtered by status) through the JDBC repositories on one pooled connection, and, as the floor, the
 * round trip of {@code SELECT 1} on that same connection. Target: p95 ≤ 5 ms.
 */
public final class QueryBench {

    static final String DATABASE = "bench_query";
    static final int ROWS = 100_000;
    static final int PAGE = 50;

    private QueryBench() {
    }

    public static void run(List<String> args) throws Exception {
        int iterations = args.size() > 1 ? Integer.parseInt(args.get(1)) : 5_000;
        LocalStack stack = LocalStack.fromEnvironment();
        StackEndpoints endpoints = stack.ensureRunning();
        stack.primary().dropDatabase(DATABASE);
        stack.primary().createDatabase(DATABASE);
        String url = endpoints.primaryJdbcUrl(DATABASE);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();

        Figures figures = new Figures("query");
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setJdbcUrl(url);
            ds.setUsername(endpoints.superuser());
            ds.setPassword(endpoints.superuserPassword());
            ds.setMaximumPoolSize(1);
            long loadStart = System.nanoTime();
            load(ds);
            figures.put("load_s", Math.round((System.nanoTime() - loadStart) / 1e7) / 100.0, "s");

            Store store = Store.jdbc(ds, TransientRetry.defaults());
            List<UUID> agentIds = ids(ds, "agents");
            List<UUID> prdIds = ids(ds, "prds");
            figures.put("agents", agentIds.size(), "rows");
            figures.put("prds", prdIds.size(), "rows");
            Random random = new Random(42);
            var jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(ds);

            percentiles(figures, "select1_floor", measure(iterations, i -> jdbc.sql("SELECT 1").query(Integer.class).single()));
            percentiles(figures, "get_by_id", measure(iterations, i ->
                    store.agents().findById(agentIds.get(random.nextInt(agentIds.size()))).orElseThrow()));
            percentiles(figures, "prd_get_by_id", measure(iterations, i ->
                    store.prds().findById(prdIds.get(random.nextInt(prdIds.size()))).orElseThrow()));
            percentiles(figures, "get_by_slug", measure(iterations, i ->
                    store.agents().findBySlug("agent-" + random.nextInt(ROWS)).orElseThrow()));
            percentiles(figures, "list_first_page", measure(iterations, i -> page(store.agents().list(null, null, PAGE).items())));
            List<String> cursors = new ArrayList<>();
            for (int i = 0; i < iterations; i++) {
                Agent from = store.agents().findById(agentIds.get(random.nextInt(agentIds.size() * 9 / 10))).orElseThrow();
                cursors.add(Cursor.encode(from.updatedAt(), from.id()));
            }
            percentiles(figures, "list", measure(iterations, i -> page(store.agents().list(null, cursors.get(i), PAGE).items())));
            percentiles(figures, "list_by_status", measure(iterations, i ->
                    page(store.agents().list(AgentStatus.PAUSED, cursors.get(i), PAGE).items())));
            percentiles(figures, "prd_list", measure(iterations, i -> page(store.prds().list(null, null, PAGE).items())));
            figures.put("target_p95_ms", 5, "ms");
        } finally {
            stack.primary().dropDatabase(DATABASE);
        }
        Path root = Figures.projectRoot();
        System.out.println("(figures written to " + figures.write(root) + ")");
    }

    private static void page(List<?> items) {
        if (items.isEmpty()) {
            throw new IllegalStateException("empty page");
        }
    }

    private static long[] measure(int iterations, IntConsumer work) {
        for (int i = 0; i < Math.min(iterations, 1_000); i++) {
            work.accept(i); // warm-up: JIT, plan cache, buffer cache
        }
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            work.accept(i);
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static List<UUID> ids(HikariDataSource ds, String table) {
        return org.springframework.jdbc.core.simple.JdbcClient.create(ds)
                .sql("SELECT id FROM factory." + table).query(UUID.class).list();
    }

    /** Set-based generation on the server: 200,000 rows in seconds, no round trip per row. */
    private static void load(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(QuerySql.LOAD_AGENTS.formatted(ROWS));
            st.execute(QuerySql.LOAD_PRDS.formatted(ROWS));
            st.execute("VACUUM ANALYZE factory.agents");
            st.execute("VACUUM ANALYZE factory.prds");
        }
    }

    /** p50/p95/p99 in milliseconds of latencies measured in nanoseconds. */
    private static void percentiles(Figures figures, String figure, long[] nanos) {
        double[] ms = java.util.Arrays.stream(nanos).mapToDouble(n -> n / 1e6).toArray();
        for (int p : new int[] {50, 95, 99}) {
            figures.put(figure + "_p" + p + "_ms", Samples.percentile(ms, p), "ms");
        }
    }
}
