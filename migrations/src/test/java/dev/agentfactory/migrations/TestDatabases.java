package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LockWaits;

/** A suite's own database on the shared primary, and superuser queries against it, for the migrations' ITs. */
final class TestDatabases {

    private TestDatabases() {
    }

    /** Drops and creates {@code database}; returns its (unmigrated) migrations with the environment's settings. */
    static Migrations fresh(LocalStack stack, StackEndpoints endpoints, String database) {
        stack.primary().dropDatabase(database);
        stack.primary().createDatabase(database);
        return new Migrations(MigrationSettings.fromEnvironment(System.getenv())
                .withUrl(endpoints.primaryJdbcUrl(database)));
    }

    static Connection superuser(StackEndpoints endpoints, String database) throws SQLException {
        return DriverManager.getConnection(endpoints.primaryJdbcUrl(database), endpoints.superuser(),
                endpoints.superuserPassword());
    }

    /** A superuser connection whose open transaction has run {@code statement} and holds its locks until it ends. */
    static Connection holding(StackEndpoints endpoints, String database, String statement) throws SQLException {
        Connection c = superuser(endpoints, database);
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute(statement);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Starts {@code action} (a rollback) and returns once a backend of {@code user} in {@code database} waits for a
     * lock, which the caller's open transaction holds. Polled on a connection of its own: one in the holder's
     * transaction would keep reading its first pg_stat_activity snapshot.
     */
    static <T> CompletableFuture<T> startBlocked(StackEndpoints endpoints, String database, String user,
                                                 Supplier<T> action) throws SQLException {
        CompletableFuture<T> started = CompletableFuture.supplyAsync(action);
        try (Connection admin = superuser(endpoints, database)) {
            LockWaits.awaitWaitingBackend(admin, database, user, Duration.ofSeconds(8));
        }
        return started;
    }

    /** The first column of the first row of {@code query} (a count), run as the superuser; for polling. */
    static long count(StackEndpoints endpoints, String database, String query) {
        try (Connection c = superuser(endpoints, database); Statement st = c.createStatement();
             var rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
