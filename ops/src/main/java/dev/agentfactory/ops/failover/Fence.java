package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Stops the services' writer role from committing on the old primary during a planned switchover, so no write
 * lands there after the standby was found to match it. Only that role and only that database: the relay (its own
 * role) keeps streaming the last changes to the standby, and other databases of the cluster are untouched.
 * New sessions of the writer start read-only (a worker's batch then fails with 25006, which it retries as
 * transient, keeping the records in Kafka for the new primary), and its open sessions are ended, aborting
 * whatever they had not committed.
 */
final class Fence {

    // format() quotes the names server-side; ALTER ROLE takes no parameters.
    static final String FENCE_SQL =
            "SELECT format('ALTER ROLE %I IN DATABASE %I SET default_transaction_read_only = on', ?, current_database())";
    static final String LIFT_SQL =
            "SELECT format('ALTER ROLE %I IN DATABASE %I RESET default_transaction_read_only', ?, current_database())";
    static final String END_SESSIONS_SQL = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            + "WHERE usename = ? AND datname = current_database() AND pid <> pg_backend_pid()";
    static final String SESSIONS_SQL =
            "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND datname = current_database()";

    private Fence() {
    }

    /** Fences {@code writer} in the connection's database; returns once its ended sessions are gone. */
    static void raise(Connection primary, String writer, Duration timeout) throws SQLException, InterruptedException {
        run(primary, FENCE_SQL, writer);
        long ended = count(primary, END_SESSIONS_SQL, writer);
        long deadline = System.nanoTime() + timeout.toNanos();
        long left;
        while ((left = count(primary, SESSIONS_SQL, writer)) > 0) {
            if (System.nanoTime() > deadline) {
                throw new SQLException(left + " session(s) of " + writer + " still open on the primary after "
                        + timeout.toSeconds() + " s", "55006");
            }
            Thread.sleep(100);
        }
        System.out.println("failover: fenced the primary: new sessions of " + writer + " are read-only, "
                + ended + " open session(s) ended");
    }

    /** Lifts the fence: the writer's new sessions may write again. */
    static void lift(Connection primary, String writer) throws SQLException {
        run(primary, LIFT_SQL, writer);
        System.out.println("failover: fence lifted: " + writer + " may write to the primary again");
    }

    private static void run(Connection c, String formatSql, String writer) throws SQLException {
        String ddl;
        try (PreparedStatement ps = c.prepareStatement(formatSql)) {
            ps.setString(1, writer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                ddl = rs.getString(1);
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute(ddl);
        }
    }

    private static long count(Connection c, String sql, String writer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, writer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
