package dev.agentfactory.relay.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One active relay per lock key: a session-level PostgreSQL advisory lock on a dedicated connection (never a
 * pooled one, which would hand the session and the lock to other work). When the holder dies its session
 * ends and the lock is free; a waiting instance takes it on its next try.
 */
final class LeaderLock implements AutoCloseable {

    static final String TRY_LOCK_SQL = "SELECT pg_try_advisory_lock(?)";
    static final String UNLOCK_SQL = "SELECT pg_advisory_unlock(?)";

    private final DebeziumConfig.Primary primary;
    private final long key;
    private Connection connection;
    private boolean held;

    LeaderLock(DebeziumConfig.Primary primary, long key) {
        this.primary = primary;
        this.key = key;
    }

    /** Tries once; true when this instance holds the lock. */
    boolean tryAcquire() throws SQLException {
        if (held && stillHeld()) {
            return true; // session locks stack: taking it twice would need two unlocks
        }
        if (connection == null || !connection.isValid(2)) {
            closeQuietly();
            Properties p = new Properties();
            p.setProperty("user", primary.user());
            p.setProperty("password", primary.password());
            p.setProperty("tcpKeepAlive", "true");
            p.setProperty("socketTimeout", "10");
            p.setProperty("ApplicationName", "cdc-relay-leader-lock");
            connection = DriverManager.getConnection(primary.jdbcUrl(), p);
        }
        try (PreparedStatement ps = connection.prepareStatement(TRY_LOCK_SQL)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                held = rs.next() && rs.getBoolean(1);
                return held;
            }
        }
    }

    /** Whether the session holding the lock is still alive (the lock dies with it). */
    boolean stillHeld() {
        try {
            return connection != null && connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    void release() {
        if (connection == null || !held) {
            return;
        }
        held = false;
        try (PreparedStatement ps = connection.prepareStatement(UNLOCK_SQL)) {
            ps.setLong(1, key);
            ps.execute();
        } catch (SQLException e) {
            closeQuietly(); // closing the session releases the lock as well
        }
    }

    @Override
    public void close() {
        release();
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // the session is gone either way
        }
        connection = null;
        held = false;
    }
}
