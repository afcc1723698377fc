package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.function.Consumer;

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
    // The writer's sessions that may have read their settings before the fence: those whose backend started
    // before it was in place (a later one starts read-only). Ended again on every look, which also catches one
    // that was still starting at the first look.
    static final String FENCED_AT_SQL = "SELECT clock_timestamp()";
    static final String END_SESSIONS_SQL = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            + "WHERE usename = ? AND datname = current_database() AND pid <> pg_backend_pid() AND backend_start <= ?";

    private Fence() {
    }

    /**
     * Fences {@code writer} in the connection's database; returns once every session it had before the fence is
     * gone. Sessions opened since (a connection pool reconnecting at once) are read-only and need not end. If
     * that does not happen within {@code timeout}, or anything fails once the fence is set, the fence is lifted
     * again before the exception is thrown: a refused failover must not leave the primary's writer read-only.
     */
    static void raise(Connection primary, String writer, Duration timeout) throws SQLException, InterruptedException {
        raise(primary, writer, timeout, lift -> { });
    }

    /**
     * {@link #raise(Connection, String, Duration)}, handing {@code onceSet} the exact statement that lifts the fence
     * as soon as it is set, before the writer's sessions are ended (which may take up to {@code timeout}): from
     * then on only the caller can lift it if the process is stopped.
     */
    static void raise(Connection primary, String writer, Duration timeout, Consumer<String> onceSet)
            throws SQLException, InterruptedException {
        String lift = statement(primary, LIFT_SQL, writer);
        run(primary, FENCE_SQL, writer);
        try {
            onceSet.accept(lift);
            OffsetDateTime fencedAt = fencedAt(primary);
            long ended = endSessions(primary, writer, fencedAt);
            long deadline = System.nanoTime() + timeout.toNanos();
            long left = ended;
            while (left > 0) {
                if (System.nanoTime() > deadline) {
                    throw new SQLException(left + " session(s) of " + writer + " from before the fence still open on"
                            + " the primary after " + timeout.toSeconds() + " s", "55006");
                }
                Thread.sleep(100);
                left = endSessions(primary, writer, fencedAt);
            }
            System.out.println("failover: fenced the primary: new sessions of " + writer + " are read-only, "
                    + ended + " open session(s) ended");
        } catch (SQLException | RuntimeException | InterruptedException e) {
            liftAfter(primary, writer, e);
            throw e;
        }
    }

    private static OffsetDateTime fencedAt(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(FENCED_AT_SQL)) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class);
        }
    }

    /** Ends (again) the writer's sessions that began before the fence; returns how many are still there. */
    private static long endSessions(Connection c, String writer, OffsetDateTime fencedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(END_SESSIONS_SQL)) {
            ps.setString(1, writer);
            ps.setObject(2, fencedAt);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Lifts the fence: the writer's new sessions may write again. */
    static void lift(Connection primary, String writer) throws SQLException {
        run(primary, LIFT_SQL, writer);
        System.out.println("failover: fence lifted: " + writer + " may write to the primary again");
    }

    /**
     * Lifts the fence after {@code cause} stopped the failover; a failure to lift is kept with the cause and
     * says what to run by hand, since the writer would otherwise stay read-only on a primary that stays one.
     */
    static void liftAfter(Connection primary, String writer, Exception cause) {
        try {
            lift(primary, writer);
        } catch (SQLException e) {
            cause.addSuppressed(e);
            couldNotLift(e, "ALTER ROLE " + writer + " IN DATABASE <database> RESET default_transaction_read_only");
        }
    }

    /** Says that a lift failed with {@code failure}, and the statement {@code lift} to run on the primary instead. */
    static void couldNotLift(Exception failure, String lift) {
        System.err.println("failover: could not lift the fence (" + failure.getMessage() + "); on the primary run: "
                + lift);
    }

    private static void run(Connection c, String formatSql, String writer) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(statement(c, formatSql, writer));
        }
    }

    /** The ALTER ROLE statement {@code formatSql} makes for {@code writer} in the connection's database. */
    private static String statement(Connection c, String formatSql, String writer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(formatSql)) {
            ps.setString(1, writer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
