package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Refuses a standby that is the relay's own primary: a database where the relays' leader lock is held. That is what
 * a relay repointed at a promoted standby looks like while its standby settings still name that database
 * (docs/runbooks.md, after a failover), and applying the stream to its own source would write every link and
 * offset change back into it, streamed again and applied again without end. The lock, not the cluster's identity,
 * tells them apart: a standby may be a physical copy of the primary (a clone, a restored base backup), with the
 * same system identifier and database name. Checked once, at the first delivery, which only the leader makes.
 */
final class NotThePrimary {

    /**
     * A session's one-key advisory lock shows in pg_locks as its high and low 32 bits (classid, objid), with objsubid
     * 1; put back together in SQL, since a negative key's high half is no valid oid to compare with.
     */
    static final String LEADER_LOCK_HELD_SQL = "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d "
            + "ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            + "AND ((l.classid::bigint << 32) | l.objid::bigint) = ? AND d.datname = current_database())";

    private final long lockKey;
    private volatile boolean checked;

    NotThePrimary(long lockKey) {
        this.lockKey = lockKey;
    }

    void check(Connection standby) throws SQLException {
        if (checked) {
            return;
        }
        try (PreparedStatement ps = standby.prepareStatement(LEADER_LOCK_HELD_SQL)) {
            ps.setLong(1, lockKey);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new IllegalStateException("the standby is the relay's own primary (the relays' leader lock "
                            + lockKey + " is held in that database): after a failover turn the standby sink off "
                            + "(FACTORY_STANDBY_ENABLED=false) until a new standby exists");
                }
            }
        }
        checked = true;
    }
}
