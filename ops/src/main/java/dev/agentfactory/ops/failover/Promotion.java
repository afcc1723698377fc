package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.store.replica.IdentitySequences;

/**
 * Makes the relay-fed standby the writable primary: identity sequences past the copied rows (the relay copies
 * ids but does not advance sequences), the relay's publication, and its logical slot created now, so every
 * write the services make after they switch is retained for the relay that will stream from here.
 */
final class Promotion {

    static final String PUBLICATION_EXISTS_SQL = "SELECT 1 FROM pg_publication WHERE pubname = ?";
    static final String CREATE_PUBLICATION_SQL = "CREATE PUBLICATION %s FOR TABLE factory.agents, "
            + "factory.agent_versions, factory.agent_history, factory.prds, factory.prd_versions, factory.prd_agents, "
            + "factory.audit_log, factory.processed_events, factory.ingest_offsets, factory.cdc_heartbeat";
    /** Slot names are the cluster's: one of the name made for another database is not the relay's. */
    static final String SLOT_EXISTS_SQL = "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? "
            + "AND database = current_database()";
    static final String SLOT_ELSEWHERE_SQL = "SELECT database FROM pg_replication_slots WHERE slot_name = ? "
            + "AND database IS DISTINCT FROM current_database()";
    static final String CREATE_SLOT_SQL = "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')";
    /** What the slot needs: logical decoding on the server, and a role that may create slots. */
    static final String PROMOTABLE_SQL = "SELECT current_setting('wal_level'), current_user, "
            + "(SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user)";

    private Promotion() {
    }

    /**
     * Refuses a standby that could not take the relay's slot, before anything is fenced, replayed or changed: the
     * slot is the promotion's last step, and failing there would leave a promoted-looking standby without one.
     */
    static void checkPromotable(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SLOT_ELSEWHERE_SQL)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new OpsException("the standby's cluster has a replication slot " + slot + " already, for "
                            + (rs.getString(1) == null ? "physical replication" : "database " + rs.getString(1))
                            + ": name another with --slot (and the relay's FACTORY_CDC_SLOT), or drop that one");
                }
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(PROMOTABLE_SQL)) {
            rs.next();
            String walLevel = rs.getString(1);
            String user = rs.getString(2);
            if (!"logical".equals(walLevel)) {
                throw new OpsException("the standby's wal_level is " + walLevel + ", and the relay streams from the "
                        + "primary by logical decoding: set wal_level=logical (on Cloud SQL, the flag "
                        + "cloudsql.logical_decoding=on) and restart the standby, then run the failover again");
            }
            if (!rs.getBoolean(3) && !exists(c, SLOT_EXISTS_SQL, slot)) { // a rerun finds its slot made
                throw new OpsException("the standby's role " + user + " may not create the relay's replication slot "
                        + "(it has neither SUPERUSER nor REPLICATION): ALTER ROLE " + user + " REPLICATION, "
                        + "then run the failover again");
            }
        }
    }

    static void promote(Connection c, String publication, String slot) throws SQLException {
        c.setAutoCommit(false);
        IdentitySequences.advance(c);
        if (!exists(c, PUBLICATION_EXISTS_SQL, publication)) {
            try (Statement st = c.createStatement()) {
                st.execute(CREATE_PUBLICATION_SQL.formatted("\"" + publication.replace("\"", "\"\"") + "\""));
            }
        }
        c.commit();
        c.setAutoCommit(true);
        if (!exists(c, SLOT_EXISTS_SQL, slot)) {
            try (PreparedStatement ps = c.prepareStatement(CREATE_SLOT_SQL)) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    System.out.println("failover: created replication slot " + slot + " at " + rs.getString(1));
                }
            }
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
