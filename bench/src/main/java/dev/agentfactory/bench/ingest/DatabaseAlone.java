package dev.agentfactory.bench.ingest;

import static dev.agentfactory.bench.ingest.DrainCapture.AGENTS;
import static dev.agentfactory.bench.ingest.DrainCapture.COPIES;
import static dev.agentfactory.bench.ingest.DrainCapture.SESSIONS;

import java.io.IOException;
import java.io.InputStream;
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
 * The database writing the worker's rows by itself, in the worker's shape. After the worker's drain its own rows
 * (agent, version, audit and dedup row of each event) are copied aside, cut into transactions of the drain's mean
 * size and written out in the worker's binary COPY format ({@link DrainCapture}, not timed). With the worker
 * stopped its tables are emptied and two sessions (its two consumer threads; the entities split between them) write
 * the same rows again as it does: versions, audit and dedup rows and the agents created by binary COPY, the agents
 * changed by one set-wise statement with their last state (read from the captured rows), three offsets upserted
 * with them. Nothing else runs: no Kafka, no decoding, rules, dedup or version reads, no outcomes. The peer, which
 * writes one row with one index entry per event, is compared with this figure as well as with the worker.
 */
final class DatabaseAlone {

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

    /**
     * @param perSecond         events per second, the first transaction's start to the last commit
     * @param cpuMicrosPerEvent the two sessions' backends' CPU per event (each backend starts for the replay), NaN
     *                          where unknown
     * @param eventsPerTransaction the worker's mean transaction in its drain, which the replay's take after
     */
    record Result(double perSecond, double cpuMicrosPerEvent, double eventsPerTransaction) {
    }

    private final BenchDatabase database;
    private final DrainCapture drain;

    /** @param dir where the captured COPY data goes (emptied first, deleted after the replay) */
    DatabaseAlone(BenchDatabase database, Path dir) {
        this.database = database;
        this.drain = new DrainCapture(database, dir);
    }

    /** Right after the worker's drain, before the latency probe: {@link DrainCapture#markDrainEnd}. */
    void markDrainEnd() throws SQLException {
        drain.markDrainEnd();
    }

    /** With the worker stopped: writes the COPY data (not timed), empties the worker's tables and times the replay. */
    Result replay() throws Exception {
        try {
            drain.write();
            return timedReplay();
        } finally {
            drain.discard();
        }
    }

    private Result timedReplay() throws Exception {
        long events = drain.events();
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
                running.add(sessions.submit(() -> session(connections.get(session), session)));
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
            return new Result(events / seconds, cpu < 0 ? Double.NaN : cpu / 1e3 / events, drain.transactionSize());
        } finally {
            for (Connection c : connections) {
                c.close();   // a session still writing after the other failed stops here
            }
            sessions.shutdownNow();
        }
    }

    /** One session's transactions; returns its backend's CPU nanoseconds, or -1 where unknown. */
    private long session(Connection c, int session) throws SQLException, IOException {
        long pid = Progress.single(c, "SELECT pg_backend_pid(), 0")[0];
        c.setAutoCommit(false);
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        try (var update = c.prepareStatement(UPDATE_AGENTS); var offsets = c.prepareStatement(OFFSETS)) {
            for (int chunk = 0; chunk < drain.chunks(session); chunk++) {
                for (int t = 0; t < COPIES.size(); t++) {
                    try (InputStream in = Files.newInputStream(drain.file(session, chunk, t))) {
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
}
