package dev.agentfactory.relay.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * One active relay per lock key: a session-level PostgreSQL advisory lock on a dedicated connection (never a
 * pooled one, which would hand the session and the lock to other work). When the holder dies its session
 * ends and the lock is free; a waiting instance takes it on its next try. A holder that vanishes without
 * closing its connection (a frozen VM, a partition) leaves the server a half-open session, which would keep the
 * lock until the operating system's keepalive gave up, two hours by default: the session therefore sets its own
 * keepalive and user timeout, so the server ends it within {@code peerTimeout}. Keepalives are answered by whatever
 * holds the other end of the server's TCP connection, though, and a NAT gateway or proxy on the way may go on
 * answering for a holder that is gone: the session also sets {@code idle_session_timeout} to the peer timeout
 * (PostgreSQL 14+), and the holder uses it every {@code lock-poll-interval} ({@link #stillHeld()}), so a session
 * that has not been used for that long is a holder that is gone, whatever the network says.
 */
final class LeaderLock implements AutoCloseable {

    static final String TRY_LOCK_SQL = "SELECT pg_try_advisory_lock(?)";
    static final String UNLOCK_SQL = "SELECT pg_advisory_unlock(?)";
    /** Server-side settings of this session only (user-settable; without effect on a Unix socket). */
    static final String DEAD_PEER_SQL = "SELECT set_config('tcp_keepalives_idle', ?, false),"
            + " set_config('tcp_keepalives_interval', ?, false), set_config('tcp_keepalives_count', '3', false),"
            + " set_config('tcp_user_timeout', ?, false), set_config('idle_session_timeout', ?, false)";
    static final String SETTING_SQL = "SELECT current_setting(?)";

    private final DebeziumConfig.Primary primary;
    private final long key;
    private final Duration peerTimeout;
    private Connection connection;
    private boolean held;

    LeaderLock(DebeziumConfig.Primary primary, long key, Duration peerTimeout) {
        this.primary = primary;
        this.key = key;
        this.peerTimeout = peerTimeout;
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
            endSessionWhenPeerIsGone(connection);
        }
        try (PreparedStatement ps = connection.prepareStatement(TRY_LOCK_SQL)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                held = rs.next() && rs.getBoolean(1);
                return held;
            }
        }
    }

    /**
     * Idle a third of the timeout, then three probes over the rest; unacknowledged data, or no query at all, for the
     * whole of it.
     */
    private void endSessionWhenPeerIsGone(Connection c) throws SQLException {
        long seconds = Math.max(3, peerTimeout.toSeconds());
        try (PreparedStatement ps = c.prepareStatement(DEAD_PEER_SQL)) {
            ps.setString(1, Long.toString(seconds / 3));
            ps.setString(2, Long.toString(Math.max(1, (seconds - seconds / 3) / 3)));
            ps.setString(3, Long.toString(seconds * 1000));
            ps.setString(4, Long.toString(seconds * 1000));
            ps.execute();
        }
    }

    /** The value of a setting in the lock's session, or null without one: for tests. */
    String sessionSetting(String name) throws SQLException {
        if (connection == null) {
            return null;
        }
        try (PreparedStatement ps = connection.prepareStatement(SETTING_SQL)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
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
