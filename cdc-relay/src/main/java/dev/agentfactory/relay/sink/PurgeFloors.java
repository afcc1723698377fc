package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.store.replica.StandbyApplyLock;
import dev.agentfactory.store.replica.StandbyPurgeFloors;
import dev.agentfactory.store.replica.TableSpec;

/**
 * The standby's purge floors ({@code factory.cdc_purge_floors}): per agent or PRD an operator purged, the LSN of
 * the entity row's delete. A streamed change of that entity, of its versions, history or audit rows, or of a link to it, at
 * or below its floor is from before the purge and is skipped, so neither a delivery repeated after the id was
 * created again nor one applied late by a relay that lost its lock can undo the purge or the new entity. The floor
 * is written in the standby transaction that applies the purge; the table is read through store's
 * {@link StandbyPurgeFloors}, as {@code ops} replay reads it.
 */
final class PurgeFloors {

    static final String RECORD_SQL = "INSERT INTO factory.cdc_purge_floors AS f (entity_id, entity_table, purge_lsn) "
            + "VALUES (?::uuid, ?, ?) ON CONFLICT (entity_id, entity_table) "
            + "DO UPDATE SET purge_lsn = excluded.purge_lsn, recorded_at = now() WHERE f.purge_lsn < excluded.purge_lsn";

    /** An entity: the table of its row ({@code agents} or {@code prds}) and its id. */
    private record Entity(String table, String id) {
    }

    private final StandbyPurgeFloors floors;

    private PurgeFloors(StandbyPurgeFloors floors) {
        this.floors = floors;
    }

    /**
     * Takes the standby apply lock ({@link StandbyApplyLock}, which serializes the standby transactions of relays
     * sharing the lock key, a late one included, and of {@code ops} replays) and reads the floors of the entities the
     * changes touch, as committed before this transaction.
     */
    static PurgeFloors read(Connection c, long lockKey, Duration lockTimeout, List<RowChange> changes)
            throws SQLException {
        StandbyApplyLock.take(c, lockKey, lockTimeout);
        Set<String> ids = new LinkedHashSet<>();
        for (RowChange change : changes) {
            owners(change).forEach(e -> ids.add(e.id()));
        }
        return new PurgeFloors(StandbyPurgeFloors.read(c, ids));
    }

    /** Whether the change is from before a purge of an entity it belongs to; never for a change without an LSN. */
    boolean precedesPurge(RowChange change) {
        if (floors.isEmpty() || change.lsn() <= 0) {
            return false;
        }
        for (Entity e : owners(change)) {
            if (floors.covers(e.table(), e.id(), change.lsn())) {
                return true;
            }
        }
        return false;
    }

    /** Records a floor for each purge among the changes ({@link StandbySink#isPurge}). */
    static void record(Connection c, List<RowChange> changes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_SQL)) {
            int purges = 0;
            for (RowChange change : changes) {
                if (StandbySink.isPurge(change)) {
                    ps.setString(1, String.valueOf(change.row().get("id")));
                    ps.setString(2, change.table());
                    ps.setLong(3, change.lsn());
                    ps.addBatch();
                    purges++;
                }
            }
            if (purges > 0) {
                ps.executeBatch();
            }
        }
    }

    /**
     * Records a floor per id of {@code table} (agents or prds) for entities removed without a purge of their own
     * among the changes ({@link SnapshotSlugHolders}); an existing higher floor stays.
     */
    static void record(Connection c, String table, Map<String, Long> floorsById) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_SQL)) {
            for (Map.Entry<String, Long> floor : floorsById.entrySet()) {
                ps.setString(1, floor.getKey());
                ps.setString(2, table);
                ps.setLong(3, floor.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * The entities a row belongs to: its own for an entity row, its parent's for a child, both ends of a link, the
     * entity an audit row records (a purge erases those too: they hold the commands' payloads).
     */
    private static List<Entity> owners(RowChange change) {
        Map<String, Object> row = change.row();
        List<Entity> owners = new ArrayList<>(2);
        switch (change.table()) {
            case "agents" -> add(owners, TableSpec.AGENTS, row.get("id"));
            case "prds" -> add(owners, TableSpec.PRDS, row.get("id"));
            case "agent_versions", "agent_history" -> add(owners, TableSpec.AGENTS, row.get("agent_id"));
            case "prd_versions" -> add(owners, TableSpec.PRDS, row.get("prd_id"));
            case "audit_log" -> add(owners, "prd".equals(row.get("entity_type")) ? TableSpec.PRDS : TableSpec.AGENTS,
                    row.get("entity_id"));
            case "prd_agents" -> {
                add(owners, TableSpec.PRDS, row.get("prd_id"));
                add(owners, TableSpec.AGENTS, row.get("agent_id"));
            }
            default -> { }
        }
        return owners;
    }

    /** Skips a missing id: null, or the empty text Debezium puts in a key-only before-image's other columns. */
    private static void add(List<Entity> owners, TableSpec table, Object id) {
        if (id != null && !id.toString().isEmpty()) {
            owners.add(new Entity(table.name(), id.toString()));
        }
    }
}
