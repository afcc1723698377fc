package dev.agentfactory.relay.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's view of its replication slot: how far its confirmed position trails the WAL, and the cleanup
 * of a walsender left behind by a killed relay. Such a walsender keeps the slot "active" until
 * {@code wal_sender_timeout} notices the dead peer, and the new engine cannot attach meanwhile.
 */
public class ReplicationSlot {

    private static final Logger log = LoggerFactory.getLogger(ReplicationSlot.class);

    static final String LAG_SQL = """
            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint
            FROM pg_replication_slots WHERE slot_name = ?""";
    static final String ACTIVE_PID_SQL = "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active";
    static final String TERMINATE_SQL = "SELECT pg_terminate_backend(?)";

    private final DataSource primary;
    private final String slotName;

    public ReplicationSlot(DataSource primary, String slotName) {
        this.primary = primary;
        this.slotName = slotName;
    }

    /** Bytes of WAL the slot still holds for the relay; empty when the slot does not exist yet. */
    public OptionalLong lagBytes() throws SQLException {
        try (Connection c = primary.getConnection(); PreparedStatement ps = c.prepareStatement(LAG_SQL)) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /**
     * Called while holding the leader lock, so any walsender on our slot belongs to a dead relay: terminate
     * it and wait until the slot is free, at most {@code timeout}. One whose peer is gone may take a while to exit,
     * while the leader's lock session is idle, and the primary ends a session idle for {@code lock-peer-timeout}, the
     * lock with it: {@code leaderHeld} (which uses that session) is asked between the checks, and a lost lock ends the
     * wait ({@link IllegalStateException}).
     */
    void clearStaleWalsender(Duration timeout, BooleanSupplier leaderHeld) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Integer reported = null;
        try (Connection c = primary.getConnection()) {
            while (true) {
                Integer pid = activePid(c);
                if (pid == null) {
                    if (reported != null) {
                        log.info("replication slot {} is free after {} ms", slotName,
                                Duration.ofNanos(System.nanoTime() - start).toMillis());
                    }
                    return;
                }
                // Once per walsender, not per check: one whose peer is gone takes up to wal_sender_timeout to exit.
                if (!pid.equals(reported)) {
                    log.warn("replication slot {} is held by walsender pid {} of a previous relay; terminating it",
                            slotName, pid);
                    reported = pid;
                }
                try (PreparedStatement ps = c.prepareStatement(TERMINATE_SQL)) {
                    ps.setInt(1, pid);
                    ps.execute();
                }
                if (System.nanoTime() > deadline) {
                    throw new SQLException("slot " + slotName + " still active (pid " + pid + ") after " + timeout);
                }
                if (!leaderHeld.getAsBoolean()) {
                    throw new IllegalStateException("leader lock lost while waiting for walsender pid " + pid
                            + " to leave slot " + slotName);
                }
                Thread.sleep(200);
            }
        }
    }

    /** The walsender attached to the slot, or null; package-private for a test's slow walsender. */
    Integer activePid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ACTIVE_PID_SQL)) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? (Integer) rs.getObject(1) : null;
            }
        }
    }
}
