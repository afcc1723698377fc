package dev.agentfactory.ops.replay;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The purge floors a standby holds (V4_5's {@code factory.cdc_purge_floors}): per agent or PRD the relay saw purged,
 * the LSN of the purge. A standby can hold a purge the audit topics do not yet (its sink committed, the audit sink
 * had not when the primary was lost), so what the topics say of such an entity up to its floor is no longer true of
 * it: replay must not apply it (it would bring the purged entity back, and undo an erasure on the database about to
 * be promoted), and the loss check must not count it as missing. A restored backup holds none ({@code ops restore}
 * clears them).
 */
public final class StandbyPurgeFloors {

    /** False on a database whose schema is older than V4_5. */
    static final String HAS_PURGE_FLOORS_SQL = "SELECT to_regclass('factory.cdc_purge_floors') IS NOT NULL";
    static final String PURGE_FLOORS_SQL = "SELECT entity_table, entity_id::text, purge_lsn FROM factory.cdc_purge_floors";

    /** "agent:<id>" or "prd:<id>", as audit events name their entity, to the purge's LSN. */
    private final Map<String, Long> floors;

    private StandbyPurgeFloors(Map<String, Long> floors) {
        this.floors = floors;
    }

    public static StandbyPurgeFloors read(Connection db) throws SQLException {
        Map<String, Long> floors = new HashMap<>();
        try (Statement st = db.createStatement(); ResultSet has = st.executeQuery(HAS_PURGE_FLOORS_SQL)) {
            if (!has.next() || !has.getBoolean(1)) {
                return new StandbyPurgeFloors(floors);
            }
        }
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(PURGE_FLOORS_SQL)) {
            while (rs.next()) {
                floors.put(("agents".equals(rs.getString(1)) ? "agent:" : "prd:") + rs.getString(2), rs.getLong(3));
            }
        }
        return new StandbyPurgeFloors(floors);
    }

    /**
     * Whether an audit event of {@code entity} ({@code agent} or {@code prd}) {@code id} at {@code lsn} is from
     * before a purge of it; {@code linkedAgent}, for a PRD's link event, is the agent at its other end (or null).
     * Never for an event without an LSN.
     */
    public boolean beforeAPurge(String entity, String id, Long lsn, String linkedAgent) {
        if (floors.isEmpty() || lsn == null) {
            return false;
        }
        return covers(entity + ":" + id, lsn) || (linkedAgent != null && covers("agent:" + linkedAgent, lsn));
    }

    private boolean covers(String key, long lsn) {
        Long floor = floors.get(key);
        return floor != null && lsn <= floor;
    }
}
