package dev.agentfactory.bench.ingest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * The floor the worker is compared with: the same rows written by plain batched
 * {@code INSERT … ON CONFLICT DO UPDATE} over JDBC, 1,000 rows per transaction, no versions, audit or dedup.
 * (A JDBC batch of single-row statements: rewriting it into multi-row statements fails when one batch
 * updates the same agent twice, which a realistic stream does.)
 */
final class RawUpsert {

    static final String CREATE = """
            CREATE TABLE IF NOT EXISTS public.raw_agents (
                id uuid PRIMARY KEY, slug text NOT NULL, name text NOT NULL, kind text NOT NULL,
                status text NOT NULL, config jsonb NOT NULL, version bigint NOT NULL, updated_at timestamptz NOT NULL)
            """;
    static final String UPSERT = """
            INSERT INTO public.raw_agents (id, slug, name, kind, status, config, version, updated_at)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, config = EXCLUDED.config,
                version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
            """;

    private RawUpsert() {
    }

    /** Returns rows per second. */
    static double run(String jdbcUrl, String user, String password, List<Workload.Row> rows) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            c.createStatement().execute("DROP TABLE IF EXISTS public.raw_agents");
            c.createStatement().execute(CREATE);
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                int inBatch = 0;
                for (Workload.Row r : rows) {
                    ps.setObject(1, r.id());
                    ps.setString(2, r.slug());
                    ps.setString(3, r.name());
                    ps.setString(4, r.kind());
                    ps.setString(5, r.status());
                    ps.setString(6, r.configJson());
                    ps.setLong(7, r.version());
                    ps.setTimestamp(8, Timestamp.from(Instant.now()));
                    ps.addBatch();
                    if (++inBatch == 1000) {
                        ps.executeBatch();
                        c.commit();
                        inBatch = 0;
                    }
                }
                ps.executeBatch();
                c.commit();
            }
            return rows.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
