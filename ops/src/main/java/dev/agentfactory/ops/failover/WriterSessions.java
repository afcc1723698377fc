package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import dev.agentfactory.ops.cli.OpsException;

/**
 * With {@code --no-fence} the operator says the writer is stopped; this checks it. A worker still running could
 * commit on the old primary after the standby was found to match it, and those writes would be lost with the
 * promotion, which a momentary match does not show. Checked before the catch-up and again right before the
 * promotion, since a pool may reconnect in between.
 */
final class WriterSessions {

    // pg_stat_activity names the user and database of every session, also to a role that is not a superuser
    static final String OPEN_SQL = "SELECT count(*), current_database() FROM pg_stat_activity "
            + "WHERE usename = ? AND datname = current_database() AND pid <> pg_backend_pid()";

    private WriterSessions() {
    }

    /** Refuses while the primary's database has a session of {@code writer}. */
    static void refuseOpen(Connection primary, String writer) throws SQLException {
        try (PreparedStatement ps = primary.prepareStatement(OPEN_SQL)) {
            ps.setString(1, writer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long open = rs.getLong(1);
                if (open > 0) {
                    throw new OpsException("--no-fence, but the writer role " + writer + " has " + open + " session(s) "
                            + "open in database " + rs.getString(2) + " on the primary: stop the ingest worker, the "
                            + "gateway's writers and anything else connecting as " + writer + " (--writer names "
                            + "another role), or leave out --no-fence to have them fenced; not promoted");
                }
            }
        }
        System.out.println("failover: --no-fence: no session of " + writer + " on the primary");
    }
}
