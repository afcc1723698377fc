package dev.agentfactory.bench.ingest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** What the ingest benchmark asks of its database besides the contenders' rows: progress and conditions. */
final class BenchDatabase {

    static final String OFFSET_PROGRESS =
            "SELECT coalesce(sum(next_offset), 0) FROM factory.ingest_offsets WHERE consumer_group = ?";
    static final String TABLE_PROGRESS = "SELECT count(*), coalesce(sum(version), 0) FROM public.\"%s\"";
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

    /** The peer's progress: rows in its table, and whether they hold every write's final version. */
    static long[] tableProgress(Connection c, String table, long distinct, long versions) throws SQLException {
        try (var ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, "public.\"" + table + "\"");
            try (var rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return new long[] {0, 0};
                }
            }
        }
        long[] r = Progress.single(c, String.format(TABLE_PROGRESS, table));
        return new long[] {r[0], r[0] == distinct && r[1] == versions ? 1 : 0};
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

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }
}
