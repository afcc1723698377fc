package dev.agentfactory.bench.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * The database writing the worker's rows by itself, in the worker's shape. After the worker's drain its own rows
 * (agent, version, audit and dedup row of each event) are copied aside, cut into transactions of the drain's mean
 * size and written out in the worker's binary COPY format (not timed). With the worker stopped its tables are emptied
 * and two sessions (its two consumer threads; the entities split between them) write the same rows again as it does:
 * versions, audit and dedup rows and the agents created by binary COPY, the agents changed by one set-wise statement
 * with their last state (read from the captured rows), three offsets upserted with them. Nothing else runs: no
 * Kafka, no decoding, rules, dedup or version reads, no outcomes. The peer, which writes one row with one index entry
 * per event, is compared with this figure as well as with the worker.
 */
final class DatabaseAlone {

    /** Where the drain's rows end: the latency probe's come after. */
    static final String DRAIN_END = "SELECT coalesce(max(id), 0), count(*) FROM factory.audit_log";
    /** Outcomes with no audit row (rejected, conflicting): rows the replay would not write. */
    static final String UNAUDITED = "SELECT (SELECT count(*) FROM factory.processed_events) - "
            + "(SELECT count(*) FROM factory.audit_log), 0";
    /** The worker's mean transaction in its drain: every row of one has the same {@code committed_at}. */
    static final String TRANSACTION_SIZE = "SELECT greatest(1, round(count(*)::numeric / "
            + "greatest(1, count(DISTINCT committed_at))))::bigint, 0 FROM factory.audit_log WHERE id <= %d";
    /**
     * Each event of the worker's drain with its rows, its session, its transaction ({@code chunk}: transactions of the
     * first parameter's events), and whether it is its agent's last in that transaction and the agent was created
     * there: the agent row is written once per transaction with its last state, as the worker writes it once per
     * batch. The drain's rows are the audit rows up to the second parameter's id.
     */
    static final String CAPTURE = """
            CREATE UNLOGGED TABLE public.alone_events WITH (autovacuum_enabled = false) AS
            SELECT e.*, e.version = max(e.version) OVER w AS last_in_chunk, min(e.version) OVER w = 1 AS created_in_chunk
            FROM (SELECT a.id AS audit_id, a.entity_id, a.version, a.command_type, a.actor, a.event_id, a.occurred_at,
                         a.details::text AS details, v.change_type, v.snapshot::text AS snapshot, p.outcome,
                         v.snapshot->>'slug' AS slug, v.snapshot->>'name' AS name, v.snapshot->>'kind' AS kind,
                         v.snapshot->>'status' AS status, (v.snapshot->'config')::text AS config,
                         (v.snapshot->>'created_at')::timestamptz AS created_at, v.snapshot->>'created_by' AS created_by,
                         hashtext(a.entity_id::text) & 1 AS session,
                         (row_number() OVER (PARTITION BY hashtext(a.entity_id::text) & 1 ORDER BY a.id) - 1) / %d
                             AS chunk
                  FROM factory.audit_log a
                  JOIN factory.agent_versions v ON v.agent_id = a.entity_id AND v.version = a.version
                  JOIN factory.processed_events p ON p.event_id = a.event_id
                  WHERE a.id <= %d) e
            WINDOW w AS (PARTITION BY e.session, e.chunk, e.entity_id)""";
    static final String CHUNKS = "SELECT coalesce(max(chunk) + 1, 0), 0 FROM public.alone_events WHERE session = %d";
    static final String EVENTS = "SELECT count(*), 0 FROM public.alone_events";
    /** What each transaction copies, in the worker's order, as {@code COPY … TO} and {@code COPY … FROM} pairs. */
    static final List<String[]> COPIES = List.of(
            new String[] {"SELECT event_id, 'agent', entity_id, command_type, outcome, version",
                    "factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)"},
            new String[] {"SELECT entity_id, slug, name, kind, status, config::jsonb, '{}'::jsonb, '{}'::jsonb, version, "
                    + "created_at, created_by, occurred_at, actor", "factory.agents (id, slug, name, kind, status, "
                    + "config, state, metadata, version, created_at, created_by, updated_at, updated_by)"},
            new String[] {"SELECT entity_id, version, change_type, snapshot::jsonb, actor, event_id",
                    "factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id)"},
            new String[] {"SELECT 'agent', entity_id, version, command_type, actor, event_id, occurred_at, details::jsonb",
                    "factory.audit_log (entity_type, entity_id, version, command_type, actor, event_id, occurred_at, "
                    + "details)"});
    /** In the drain's order; the agents table's COPY takes only the agents created in the transaction, as they end it. */
    static final String COPY_OUT = "COPY (%s FROM public.alone_events WHERE session = %d AND chunk = %d%s "
            + "ORDER BY audit_id) TO STDOUT (FORMAT binary)";
    static final String CREATED_HERE = " AND last_in_chunk AND created_in_chunk";
    static final String COPY_IN = "COPY %s FROM STDIN (FORMAT binary)";
    /** The agents changed in a transaction, at their last state there, as the worker's set-wise upsert. */
    static final String UPDATE_AGENTS = """
            UPDATE factory.agents a SET name = e.name, config = e.config::jsonb, version = e.version,
                                        updated_at = e.occurred_at, updated_by = e.actor
            FROM (SELECT entity_id, name, config, version, occurred_at, actor FROM public.alone_events
                  WHERE session = ? AND chunk = ? AND last_in_chunk AND NOT created_in_chunk) e
            WHERE a.id = e.entity_id""";
    /** Three partitions a transaction: a consumer thread's share of the six of the agents' write topic. */
    static final String OFFSETS = """
            INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset)
            SELECT 'bench-alone', 'bench', 3 * ? + p, ? FROM generate_series(0, 2) AS p
            ON CONFLICT (consumer_group, topic, partition)
            DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()""";
    static final String EMPTY = """
            TRUNCATE factory.agent_versions, factory.agent_history, factory.audit_log, factory.processed_events,
                     factory.prd_agents, factory.agents, factory.ingest_offsets""";
    /** Version, audit and dedup rows after the replay: one of each per event (agent rows are checked by the round). */
    static final String REPLAYED = "SELECT (SELECT count(*) FROM factory.agent_versions) = %1$d AND (SELECT count(*) "
            + "FROM factory.audit_log) = %1$d AND (SELECT count(*) FROM factory.processed_events) = %1$d";
    static final String DROP = "DROP TABLE IF EXISTS public.alone_events";
    static final int SESSIONS = 2;
    /** Which of {@link #COPIES} writes the agents: only those created in the transaction, the rest by UPDATE. */
    static final int AGENTS = 1;

    /**
     * @param perSecond         events per second, the first transaction's start to the last commit
     * @param cpuMicrosPerEvent the two sessions' backends' CPU per event (each backend starts for the replay), NaN
     *                          where unknown
     * @param eventsPerTransaction the worker's mean transaction in its drain, which the replay's take after
     */
    record Result(double perSecond, double cpuMicrosPerEvent, double eventsPerTransaction) {
    }

    private final BenchDatabase database;
    private final Path dir;
    private long lastAuditId;
    private long drainEvents;
    private long transactionSize;
    /** Each session's transactions, known once the drain is captured. */
    private final long[] chunks = new long[SESSIONS];

    /** @param dir where the captured COPY data goes (emptied first, deleted after the replay) */
    DatabaseAlone(BenchDatabase database, Path dir) {
        this.database = database;
        this.dir = dir;
    }

    /**
     * Right after the worker's drain, before the latency probe adds its rows: where its rows end. Nothing more until
     * the probe is over: copying them aside then, about 1 KB per event, raised the probe's p99 from about 70 ms to
     * 120 to 220 (the page cache's writeback).
     */
    void markDrainEnd() throws SQLException {
        try (Connection c = database.connect()) {
            long[] end = Progress.single(c, DRAIN_END);
            long unaudited = Progress.single(c, UNAUDITED)[0];
            if (end[1] == 0 || unaudited != 0) {
                throw new IllegalStateException("the worker's drain left " + end[1] + " audit rows and " + unaudited
                        + " outcomes without one: the replay writes the rows of applied events only");
            }
            lastAuditId = end[0];
            drainEvents = end[1];
        }
    }

    /** The drain's rows copied aside in the database; fails if the worker wrote any but agents'. */
    private void capture(Connection c, Statement st) throws SQLException {
        transactionSize = Progress.single(c, TRANSACTION_SIZE.formatted(lastAuditId))[0];
        st.execute(CAPTURE.formatted(transactionSize, lastAuditId));
        long captured = Progress.single(c, EVENTS)[0];
        if (captured != drainEvents) {
            throw new IllegalStateException("captured " + captured + " of the worker's " + drainEvents
                    + " events: the workload wrote rows other than agents', which the replay does not write");
        }
    }

    /** With the worker stopped: writes the COPY data, empties the worker's tables and times the replay. */
    Result replay() throws Exception {
        try {
            prepare();
            return timedReplay();
        } finally {
            try (Connection c = database.connect(); Statement st = c.createStatement()) {
                st.execute(DROP);
            }
            empty(dir);   // about 1 KB per event
        }
    }

    /** The drain's rows as each transaction's COPY data, in files on disk before the clock starts; not timed. */
    private void prepare() throws SQLException, IOException {
        Files.createDirectories(dir);
        empty(dir);
        try (Connection c = database.connect(); Statement st = c.createStatement()) {
            capture(c, st);
            st.execute("CREATE INDEX ON public.alone_events (session, chunk)");
            st.execute("VACUUM ANALYZE public.alone_events");   // hint bits set now, not by the timed reads
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (int s = 0; s < SESSIONS; s++) {
                chunks[s] = Progress.single(c, CHUNKS.formatted(s))[0];
                for (int chunk = 0; chunk < chunks[s]; chunk++) {
                    for (int t = 0; t < COPIES.size(); t++) {
                        Path f = file(s, chunk, t);
                        try (OutputStream out = Files.newOutputStream(f)) {
                            copy.copyOut(COPY_OUT.formatted(COPIES.get(t)[0], s, chunk, t == AGENTS ? CREATED_HERE : ""),
                                    out);
                        }
                        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                            ch.force(true);   // no writeback of it during the replay
                        }
                    }
                }
            }
        }
    }

    private Result timedReplay() throws Exception {
        long events = drainEvents;   // all captured: capture checked
        try (Connection c = database.connect(); Statement st = c.createStatement()) {
            st.execute(EMPTY);
        }
        database.checkpoint();
        List<Connection> connections = new ArrayList<>();
        ExecutorService sessions = Executors.newFixedThreadPool(SESSIONS);
        try {
            for (int s = 0; s < SESSIONS; s++) {
                connections.add(database.connect());   // connected before the clock starts
            }
            long t0 = System.nanoTime();
            List<Future<Long>> running = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                int session = s;
                running.add(sessions.submit(() -> session(connections.get(session), session, chunks[session])));
            }
            long cpu = 0;
            for (Future<Long> f : running) {
                long nanos = f.get();
                cpu = nanos < 0 || cpu < 0 ? -1 : cpu + nanos;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            try (Connection c = database.connect(); Statement st = c.createStatement();
                 var rs = st.executeQuery(REPLAYED.formatted(events))) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new IllegalStateException("the database alone did not write one version, audit and dedup "
                            + "row for each of the " + events + " events: its figure is no figure");
                }
            }
            return new Result(events / seconds, cpu < 0 ? Double.NaN : cpu / 1e3 / events, transactionSize);
        } finally {
            for (Connection c : connections) {
                c.close();   // a session still writing after the other failed stops here
            }
            sessions.shutdownNow();
        }
    }

    /** One session's transactions; returns its backend's CPU nanoseconds, or -1 where unknown. */
    private long session(Connection c, int session, long chunks) throws SQLException, IOException {
        long pid = Progress.single(c, "SELECT pg_backend_pid(), 0")[0];
        c.setAutoCommit(false);
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        try (var update = c.prepareStatement(UPDATE_AGENTS); var offsets = c.prepareStatement(OFFSETS)) {
            for (int chunk = 0; chunk < chunks; chunk++) {
                for (int t = 0; t < COPIES.size(); t++) {
                    try (InputStream in = Files.newInputStream(file(session, chunk, t))) {
                        copy.copyIn(COPY_IN.formatted(COPIES.get(t)[1]), in);
                    }
                    if (t == AGENTS) {
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
        }
        long cpu = ProcessHandle.of(pid).map(CpuMeter::cpu).orElse(0L);
        return cpu > 0 ? cpu : -1;
    }

    private static void empty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
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
