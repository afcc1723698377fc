package dev.agentfactory.bench.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The worker's drain as {@link DatabaseAlone} replays it: where its rows end (marked before the latency probe), then,
 * with the worker stopped and not timed, its rows copied aside in the database, cut into transactions of the drain's
 * mean size per session and written to files in the worker's binary COPY format, one per session, transaction and
 * table.
 */
final class DrainCapture {

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
    static final String DROP = "DROP TABLE IF EXISTS public.alone_events";
    static final int SESSIONS = 2;
    /** Which of {@link #COPIES} writes the agents: only those created in the transaction, the rest by UPDATE. */
    static final int AGENTS = 1;

    private final BenchDatabase database;
    private final Path dir;
    private long lastAuditId;
    private long events;
    private long transactionSize;
    /** Each session's transactions, known once the drain is captured. */
    private final long[] chunks = new long[SESSIONS];

    /** @param dir where the captured COPY data goes (emptied first, and by {@link #discard}) */
    DrainCapture(BenchDatabase database, Path dir) {
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
            events = end[1];
        }
    }

    /** The drain's rows as each transaction's COPY data, in files on disk before the clock starts. */
    void write() throws SQLException, IOException {
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

    /** The drain's rows copied aside in the database; fails if the worker wrote any but agents'. */
    private void capture(Connection c, Statement st) throws SQLException {
        transactionSize = Progress.single(c, TRANSACTION_SIZE.formatted(lastAuditId))[0];
        st.execute(CAPTURE.formatted(transactionSize, lastAuditId));
        long captured = Progress.single(c, EVENTS)[0];
        if (captured != events) {
            throw new IllegalStateException("captured " + captured + " of the worker's " + events
                    + " events: the workload wrote rows other than agents', which the replay does not write");
        }
    }

    /** The copy in the database and the files (about 1 KB per event) removed. */
    void discard() throws SQLException, IOException {
        try (Connection c = database.connect(); Statement st = c.createStatement()) {
            st.execute(DROP);
        }
        empty(dir);
    }

    /** The drain's events, all of them captured ({@link #write} checks). */
    long events() {
        return events;
    }

    long transactionSize() {
        return transactionSize;
    }

    long chunks(int session) {
        return chunks[session];
    }

    /** The COPY data of one session's transaction into one of {@link #COPIES}' tables. */
    Path file(int session, int chunk, int table) {
        return dir.resolve(session + "-" + chunk + "-" + table + ".copy");
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
}
