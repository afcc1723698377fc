package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

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
    static final String SLOT_EXISTS_SQL = "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?";
    static final String CREATE_SLOT_SQL = "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')";

    private Promotion() {
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
