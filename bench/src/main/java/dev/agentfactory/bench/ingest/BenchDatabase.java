package dev.agentfactory.bench.ingest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the ingest benchmark asks of its database besides the contenders' rows: progress, conditions and checks. */
final class BenchDatabase {

    static final String OFFSET_PROGRESS =
            "SELECT coalesce(sum(next_offset), 0) FROM factory.ingest_offsets WHERE consumer_group = ?";
    /** Rows and the sum of their versions: each write adds one to it (a create's row starts at version 1). */
    static final String TABLE_TOTALS = "SELECT count(*), coalesce(sum(version), 0) FROM %s";
    /** The peer's table holds the last rows sent to its partitions: primary-key lookups of those ids. */
    static final String PEER_LAST_ROWS = "SELECT id, version FROM public.\"%s\" WHERE id = ANY (?)";
    /** The table the peer's {@code schema.evolution=basic} creates for its records, column for column. */
    static final String PEER_TABLE = "CREATE TABLE public.\"%s\" (id text NOT NULL PRIMARY KEY, slug text NOT NULL, "
            + "name text NOT NULL, kind text NOT NULL, status text NOT NULL, config text NOT NULL, version bigint NOT NULL)";

    private final String url;
    private final String user;
    private final String password;

    BenchDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    String url() {
        return url;
    }

    /**
     * Each contender starts right after a checkpoint, so each pays the same full-page images for the pages
     * it first touches, rather than whatever the previous contender's WAL left to the checkpoint timer.
     */
    void checkpoint() throws SQLException {
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("CHECKPOINT");
        }
    }

    /**
     * Creates the peer's table before the connector starts. Left to the connector, its two tasks both try
     * to create it on their first records; PostgreSQL refuses the loser (a duplicate {@code pg_type} row), and
     * once that left the peer stalled for the whole 10-minute limit (Debezium JDBC sink 3.6.0). Setup, not
     * drain: the drain is timed from the first row either way.
     */
    void createPeerTable(String table) throws SQLException {
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute(String.format(PEER_TABLE, table));
        }
    }

    /**
     * The check of a finished drain, once, outside its timing: {@code table} holds {@code distinct} rows whose
     * versions sum to {@code versions}, every write of the workload applied, none lost or rejected.
     */
    void verifyRows(String who, String table, long distinct, long versions) throws SQLException {
        long[] totals;
        try (Connection c = connect()) {
            totals = Progress.single(c, String.format(TABLE_TOTALS, table));
        }
        if (totals[0] != distinct || totals[1] != versions) {
            throw new IllegalStateException(who + " finished with " + totals[0] + " rows of version sum " + totals[1]
                    + " in " + table + ", not the workload's " + distinct + " rows of version sum " + versions
                    + ": writes were lost, rejected or dead-lettered, so its drain is no figure");
        }
    }

    /**
     * The peer's progress, as cheap per poll as the worker's: until its first commit, the sum of the versions in
     * its table (each applied write adds one, so it counts the events done; the table is empty or nearly so
     * then); after it, primary-key lookups of the last row sent to each partition. Connect applies a partition's
     * records in order, and every write of an id goes to the same partition, so once each partition's last row
     * is there at its version every record before it is applied too ({@link #verifyRows} checks that after the
     * drain).
     */
    static final class PeerProgress implements Progress.Check {

        private final String table;
        private final Map<String, Long> lastVersions = new HashMap<>();
        private boolean started;

        /** @param lastRows the last row sent to each partition of the peer's topic */
        PeerProgress(String table, List<Workload.Row> lastRows) {
            this.table = table;
            lastRows.forEach(r -> lastVersions.put(r.id().toString(), r.version()));
        }

        @Override
        public long[] read(Connection c) throws SQLException {
            long applied = 0;
            if (!started) {
                applied = Progress.single(c, String.format(TABLE_TOTALS, "public.\"" + table + "\""))[1];
                if (applied == 0) {
                    return new long[] {0, 0};
                }
                started = true;
            }
            return new long[] {applied, lastRowsPresent(c) ? 1 : 0};
        }

        private boolean lastRowsPresent(Connection c) throws SQLException {
            int present = 0;
            try (var ps = c.prepareStatement(String.format(PEER_LAST_ROWS, table))) {
                ps.setArray(1, c.createArrayOf("text", lastVersions.keySet().toArray()));
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        present += lastVersions.get(rs.getString(1)) == rs.getLong(2) ? 1 : 0;
                    }
                }
            }
            return present == lastVersions.size();
        }
    }

    /** The worker's progress: the offsets it committed with its rows. */
    static long[] offsetProgress(Connection c, String group, long total) throws SQLException {
        try (var ps = c.prepareStatement(OFFSET_PROGRESS)) {
            ps.setString(1, group);
            try (var rs = ps.executeQuery()) {
                rs.next();
                long consumed = rs.getLong(1);
                return new long[] {consumed, consumed >= total ? 1 : 0};
            }
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }
}
