package dev.agentfactory.stack.junit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Finds an app's backend once it waits for a lock a test holds: the moment to make its connection half-open
 * ({@link HalfOpenProxy}) and end the backend, with the app's statement still waiting for an answer.
 */
public final class LockWaits {

    private LockWaits() {
    }

    /** The pid of a backend of {@code user} in {@code database} waiting for a lock, polled through {@code admin}. */
    public static int awaitWaitingBackend(Connection admin, String database, String user, Duration timeout) {
        int[] pid = {0};
        Poll.until(timeout, "a backend of " + user + " in " + database + " waiting for a lock", () -> {
            try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT pid FROM pg_stat_activity WHERE datname = '" + database + "' AND usename = '" + user
                            + "' AND wait_event_type = 'Lock'")) {
                pid[0] = rs.next() ? rs.getInt(1) : 0;
                return pid[0] != 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return pid[0];
    }
}
