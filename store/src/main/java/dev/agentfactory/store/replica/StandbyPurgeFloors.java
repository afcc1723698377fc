package dev.agentfactory.store.replica;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The purge floors a standby holds (V4_5's {@code factory.cdc_purge_floors}): per agent or PRD the relay saw purged,
 * the LSN of the purge, written by the relay's standby sink in the transaction that applies it. A change of that
 * entity at or below its floor is from before the purge: the sink skips a late or repeated delivery of one, and
 * {@code ops} replay and the failover's loss check skip what the audit topics say of it (a standby can hold a purge
 * the topics do not yet), so neither can bring a purged entity back and undo an erasure. Read here once for both, under
 * the {@link StandbyApplyLock} where the reader writes after reading. A restored backup holds none ({@code ops restore}
 * clears them).
 */
public final class StandbyPurgeFloors {

    /** False on a database whose schema is older than V4_5. */
    static final String HAS_PURGE_FLOORS_SQL = "SELECT to_regclass('factory.cdc_purge_floors') IS NOT NULL";
    static final String PURGE_FLOORS_SQL = "SELECT entity_table, entity_id::text, purge_lsn FROM factory.cdc_purge_floors";
    static final String PURGE_FLOORS_OF_SQL = PURGE_FLOORS_SQL + " WHERE entity_id = ANY (?::uuid[])";

    /** "agents:<id>" or "prds:<id>" (the entity's table and id) to the purge's LSN. */
    private final Map<String, Long> floors;

    private StandbyPurgeFloors(Map<String, Long> floors) {
        this.floors = floors;
    }

    /** Every floor the database holds; none on a database older than V4_5. */
    public static StandbyPurgeFloors readAll(Connection db) throws SQLException {
        Map<String, Long> floors = new HashMap<>();
        try (Statement st = db.createStatement(); ResultSet has = st.executeQuery(HAS_PURGE_FLOORS_SQL)) {
            if (!has.next() || !has.getBoolean(1)) {
                return new StandbyPurgeFloors(floors);
            }
        }
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(PURGE_FLOORS_SQL)) {
            collect(rs, floors);
        }
        return new StandbyPurgeFloors(floors);
    }

    /** The floors of the given agent or PRD ids only. */
    public static StandbyPurgeFloors read(Connection db, Collection<String> ids) throws SQLException {
        Map<String, Long> floors = new HashMap<>();
        if (!ids.isEmpty()) {
            try (PreparedStatement ps = db.prepareStatement(PURGE_FLOORS_OF_SQL)) {
                Array array = db.createArrayOf("text", ids.toArray());
                ps.setArray(1, array);
                try (ResultSet rs = ps.executeQuery()) {
                    collect(rs, floors);
                }
            }
        }
        return new StandbyPurgeFloors(floors);
    }

    private static void collect(ResultSet rs, Map<String, Long> floors) throws SQLException {
        while (rs.next()) {
            floors.put(rs.getString(1) + ":" + rs.getString(2), rs.getLong(3));
        }
    }

    public boolean isEmpty() {
        return floors.isEmpty();
    }

    /** Whether a change at {@code lsn} of the entity {@code id} of {@code table} (agents or prds) precedes its purge. */
    public boolean covers(String table, String id, long lsn) {
        Long floor = floors.get(table + ":" + id);
        return floor != null && lsn <= floor;
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
        String table = "agent".equals(entity) ? TableSpec.AGENTS.name() : TableSpec.PRDS.name();
        return covers(table, id, lsn) || (linkedAgent != null && covers(TableSpec.AGENTS.name(), linkedAgent, lsn));
    }
}
