package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a standby that is the relay's own primary: the same cluster (its system identifier) and database. That
 * is what a relay repointed at a promoted standby looks like while its standby settings still name that database
 * (docs/runbooks.md, after a failover), and applying the stream to its own source would write every link and
 * offset change back into it, streamed again and applied again without end. Checked once, at the first delivery.
 */
final class NotThePrimary {

    private static final Logger log = LoggerFactory.getLogger(NotThePrimary.class);

    static final String IDENTITY_SQL = "SELECT system_identifier::text || '/' || current_database() "
            + "FROM pg_control_system()";

    private final DataSource primary;
    private volatile boolean checked;

    /** {@code primary}: the relay's source database; null to skip the check. */
    NotThePrimary(DataSource primary) {
        this.primary = primary;
    }

    void check(Connection standby) throws SQLException {
        if (checked || primary == null) {
            return;
        }
        String standbyIdentity;
        String primaryIdentity;
        try (Connection p = primary.getConnection()) {
            standbyIdentity = identity(standby);
            primaryIdentity = identity(p);
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
            log.warn("standby: cannot tell whether it is the primary itself ({}); not checked", e.getMessage());
            checked = true;
            return;
        }
        if (standbyIdentity.equals(primaryIdentity)) {
            throw new IllegalStateException("the standby is the relay's own primary (cluster and database "
                    + primaryIdentity + "): after a failover turn the standby sink off (FACTORY_STANDBY_ENABLED=false) "
                    + "until a new standby exists");
        }
        checked = true;
    }

    private static String identity(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(IDENTITY_SQL)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
