package dev.agentfactory.bench.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The database writing the worker's rows by itself: the ceiling of any worker that writes them. After the worker's
 * drain its own rows (agent, version, audit and dedup row of each event) are copied aside, in the worker's binary
 * COPY format, cut into the transactions of a replay (not timed). With the worker stopped, its tables are emptied
 * and two sessions (the worker's two consumer threads; the entities split between them) write the same rows again
 * as the worker does: 1,000 events per transaction, versions, audit and dedup rows and the agents it creates by
 * binary COPY, the agents it changes by one set-wise statement with their last state (read from the captured
 * rows), its offsets upserted with them. Nothing else runs: no Kafka, no decoding, rules, dedup or version reads, no outcomes. The peer, which writes
 * one row with one index entry per event, is compared with this figure as well as with the worker.
 */
final class DatabaseAlone {

    /**
     * Each event of the worker's drain with its rows, its session, its transaction ({@code chunk}), and whether it is
     * its agent's last in that transaction and the agent was created there: the agent row is written once per
     * transaction with its last state, as the worker writes it once per batch.
     */
    static final String CAPTURE = """
            CREATE TABLE public.alone_events WITH (autovacuum_enabled = false) AS
            SELECT e.*, e.version = max(e.version) OVER w AS last_in_chunk, min(e.version) OVER w = 1 AS created_in_chunk
            FROM (SELECT a.entity_id, a.version, a.command_type, a.actor, a.event_id, a.occurred_at,
                         a.details::text AS details, v.change_type, v.snapshot::text AS snapshot, p.outcome,
                         v.snapshot->>'slug' AS slug, v.snapshot->>'name' AS name, v.snapshot->>'kind' AS kind,
                         v.snapshot->>'status' AS status, (v.snapshot->'config')::text AS config,
                         hashtext(a.entity_id::text) & 1 AS session,
                         (row_number() OVER (PARTITION BY hashtext(a.entity_id::text) & 1 ORDER BY a.id) - 1) / 1000
                             AS chunk
                  FROM factory.audit_log a
                  JOIN factory.agent_versions v ON v.agent_id = a.entity_id AND v.version = a.version
                  JOIN factory.processed_events p ON p.event_id = a.event_id) e
            WINDOW w AS (PARTITION BY e.session, e.chunk, e.entity_id)""";
    static final String CAPTURED = "SELECT (SELECT count(*) FROM public.alone_events), "
            + "(SELECT count(*) FROM factory.processed_events)";
    static final String CHUNKS = "SELECT coalesce(max(chunk) + 1, 0), 0 FROM public.alone_events WHERE session = %d";
    static final String EVENTS = "SELECT count(*), 0 FROM public.alone_events";
    /** What each transaction copies, in the worker's order, as {@code COPY … TO} and {@code COPY … FROM} pairs. */
    static final List<String[]> COPIES = List.of(
            new String[] {"SELECT event_id, 'agent', entity_id, command_type, outcome, version",
                    "factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)"},
            new String[] {"SELECT entity_id, slug, name, kind, status, config::jsonb, '{}'::jsonb, '{}'::jsonb, version, "
                    + "occurred_at, actor, occurred_at, actor", "factory.agents (id, slug, name, kind, status, config, "
                    + "state, metadata, version, created_at, created_by, updated_at, updated_by)"},
            new String[] {"SELECT entity_id, version, change_type, snapshot::jsonb, actor, event_id",
                    "factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id)"},
            new String[] {"SELECT 'agent', entity_id, version, command_type, actor, event_id, occurred_at, details::jsonb",
                    "factory.audit_log (entity_type, entity_id, version, command_type, actor, event_id, occurred_at, "
                    + "details)"});
    /** The agents table's COPY takes only the agents created in the transaction, at their last state there. */
    static final String COPY_OUT = "COPY (%s FROM public.alone_events WHERE session = %d AND chunk = %d%s) "
            + "TO STDOUT (FORMAT binary)";
    static final String CREATED_HERE = " AND last_in_chunk AND created_in_chunk";
    static final String COPY_IN = "COPY %s FROM STDIN (FORMAT binary)";
    /** The agents changed in a transaction, at their last state there, as the worker's set-wise upsert. */
    static final String UPDATE_AGENTS = """
            UPDATE factory.agents a SET name = e.name, config = e.config::jsonb, version = e.version,
                                        updated_at = e.occurred_at, updated_by = e.actor
            FROM (SELECT entity_id, name, config, version, occurred_at, actor FROM public.alone_events
                  WHERE session = ? AND chunk = ? AND last_in_chunk AND NOT created_in_chunk) e
            WHERE a.id = e.entity_id""";
    static final String OFFSETS = """
            INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset) VALUES ('bench-alone', 'bench', ?, ?)
            ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()""";
    static final String EMPTY = """
            TRUNCATE factory.agent_versions, factory.agent_history, factory.audit_log, factory.processed_events,
                     factory.prd_agents, factory.agents, factory.ingest_offsets""";
    /** Version, audit and dedup rows after the replay: three per event (agent rows are checked by the round). */
    static final String REPLAYED = "SELECT (SELECT count(*) FROM factory.agent_versions) + (SELECT count(*) FROM "
            + "factory.audit_log) + (SELECT count(*) FROM factory.processed_events), 0";
    static final int SESSIONS = 2;

    /**
     * @param perSecond         events per second, the first transaction's start to the last commit
     * @param cpuMicrosPerEvent the two sessions' backends' CPU per event (each backend starts for the replay)
     */
    record Result(double perSecond, double cpuMicrosPerEvent) {
    }

    private final BenchDatabase database;
    private final Path dir;

    /** @param dir where the captured COPY data goes (emptied first) */
    DatabaseAlone(BenchDatabase database, Path dir) {
        this.database = database;
        this.dir = dir;
    }

    /**
     * Right after the worker's drain, before the latency probe adds its rows: copies its rows aside in the database
     * (fails if it wrote any but agents'). Nothing more until the probe is over: the COPY data written here, about
     * 1 KB per event, raised the probe's p99 from about 70 ms to 120 to 180 (the page cache's writeback).
     */
    void capture() throws SQLException {
        try (Connection c = database.connect(); Statement st = c.createStatement()) {
            st.execute(CAPTURE);
            long[] counts = Progress.single(c, CAPTURED);
            if (counts[0] != counts[1]) {
                throw new IllegalStateException("captured " + counts[0] + " of the worker's " + counts[1]
                        + " events: the workload wrote rows other than agents', which the replay does not write");
            }
        }
    }

    /** The captured rows as each transaction's COPY data, in files; not timed. */
    private void prepare() throws SQLException, IOException {
        Files.createDirectories(dir);
        empty(dir);
        try (Connection c = database.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE INDEX ON public.alone_events (session, chunk)");
            st.execute("VACUUM ANALYZE public.alone_events");   // hint bits set now, not by the timed reads
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (int s = 0; s < SESSIONS; s++) {
                long chunks = Progress.single(c, CHUNKS.formatted(s))[0];
                for (int chunk = 0; chunk < chunks; chunk++) {
                    for (int t = 0; t < COPIES.size(); t++) {
                        try (OutputStream out = Files.newOutputStream(file(s, chunk, t))) {
                            copy.copyOut(COPY_OUT.formatted(COPIES.get(t)[0], s, chunk, t == 1 ? CREATED_HERE : ""), out);
                        }
                    }
                }
            }
        }
    }

    /** With the worker stopped: empties its tables, then times the replay; deletes the captured data after it. */
    Result replay() throws Exception {
        try {
            prepare();
            return timedReplay();
        } finally {
            empty(dir);   // about 1 KB per event
        }
    }

    private Result timedReplay() throws Exception {
        long events;
        long[] chunks = new long[SESSIONS];
        try (Connection c = database.connect(); Statement st = c.createStatement()) {
            st.execute(EMPTY);
            events = Progress.single(c, EVENTS)[0];
            for (int s = 0; s < SESSIONS; s++) {
                chunks[s] = Progress.single(c, CHUNKS.formatted(s))[0];
            }
        }
        database.checkpoint();
        ExecutorService sessions = Executors.newFixedThreadPool(SESSIONS);
        try {
            long t0 = System.nanoTime();
            List<Future<Long>> running = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                int session = s;
                running.add(sessions.submit(() -> session(session, chunks[session])));
            }
            long cpu = 0;
            for (Future<Long> f : running) {
                cpu += f.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            try (Connection c = database.connect()) {
                long rows = Progress.single(c, REPLAYED)[0];
                if (rows != 3 * events) {
                    throw new IllegalStateException("the database alone wrote " + rows + " version, audit and dedup "
                            + "rows for " + events + " events, not " + 3 * events + ": its figure is no figure");
                }
            }
            return new Result(events / seconds, cpu / 1e3 / events);
        } finally {
            sessions.shutdownNow();
        }
    }

    /** One session's transactions; returns its backend's CPU nanoseconds. */
    private long session(int session, long chunks) throws SQLException, IOException {
        try (Connection c = database.connect(); var update = c.prepareStatement(UPDATE_AGENTS);
             var offsets = c.prepareStatement(OFFSETS)) {
            long pid = Progress.single(c, "SELECT pg_backend_pid(), 0")[0];
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (int chunk = 0; chunk < chunks; chunk++) {
                for (int t = 0; t < COPIES.size(); t++) {
                    try (InputStream in = Files.newInputStream(file(session, chunk, t))) {
                        copy.copyIn(COPY_IN.formatted(COPIES.get(t)[1]), in);
                    }
                    if (t == 1) {
                        update.setInt(1, session);
                        update.setInt(2, chunk);
                        update.executeUpdate();
                    }
                }
                offsets.setInt(1, session);
                offsets.setLong(2, chunk + 1L);
                offsets.executeUpdate();
                c.commit();
            }
            return ProcessHandle.of(pid).map(CpuMeter::cpu).orElse(0L);
        }
    }

    private static void empty(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
    }

    private Path file(int session, int chunk, int table) {
        return dir.resolve(session + "-" + chunk + "-" + table + ".copy");
    }
}
