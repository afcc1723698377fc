package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

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
