package dev.agentfactory.ops.failover;

import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.postgresql.replication.LogSequenceNumber;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.BackupRows;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.store.replica.StandbyPurgeFloors;
import dev.agentfactory.store.replica.TableSpec;
import tools.jackson.databind.JsonNode;

/**
 * What a backup holds that the standby lacks and a replay from the backup's audit offsets does not bring back: the
 * writes committed before the backup that the standby never received, because its relay sink was off across the
 * backup (a maintenance window, a standby rebuild). The replay and the loss check ({@link AuditCoverage}) both start at
 * the backup's offsets, so without this such writes would be neither replayed nor counted, and the standby promoted
 * with an RPO of 0.
 * <p>
 * The backup itself is the reference: every agent and PRD at its version (the same incarnation: {@code created_at}),
 * every history entry and every PRD link it holds must be on the standby, at that version or newer, unless something
 * after the backup explains the difference: a purge the standby applied after the backup's snapshot (its purge floor
 * is past the backup's LSN), or an event in the audit topics from the backup's offsets on, which the replay applies
 * (a newer version of the entity, the history entry, any change of the link) or which removed it (a purge, a history
 * entry's or a link's delete). The topics are read only when the database comparison finds something, so a caught-up
 * standby costs a read of four of the backup's files and one indexed lookup per row. Nothing is judged by time: a
 * standby caught up on an idle system holds everything the backup holds, however old its newest write.
 * <p>
 * Not compared, as the loss check does not count them: version rows (a standby whose sink was turned on again after
 * a gap holds an entity's newest row but not the versions of the gap), audit rows, outcomes and stored offsets.
 */
final class BackupCoverage {

    /** Backup rows per lookup on the standby. */
    static final int CHUNK = 5_000;
    static final String ENTITIES_LACKING_SQL = """
            SELECT b.id, b.version::bigint, s.version, s.created_at = b.created_at::timestamptz
            FROM unnest(?::text[], ?::text[], ?::text[]) AS b(id, version, created_at)
            LEFT JOIN factory.%s s ON s.id = b.id::uuid
            WHERE s.id IS NULL OR s.created_at <> b.created_at::timestamptz OR s.version < b.version::bigint""";
    static final String HISTORY_LACKING_SQL = """
            SELECT b.seq::bigint, b.agent_id FROM unnest(?::text[], ?::text[]) AS b(seq, agent_id)
            WHERE NOT EXISTS (SELECT 1 FROM factory.agent_history h WHERE h.seq = b.seq::bigint)""";
    static final String LINKS_LACKING_SQL = """
            SELECT b.prd_id, b.agent_id FROM unnest(?::text[], ?::text[]) AS b(prd_id, agent_id)
            WHERE NOT EXISTS (SELECT 1 FROM factory.prd_agents l
                              WHERE l.prd_id = b.prd_id::uuid AND l.agent_id = b.agent_id::uuid)""";

    /** An agent or PRD of the backup that the standby lacks at the backup's version. */
    private record Entity(String table, String id, long version, Long standbyVersion, boolean sameIncarnation) {

        long writes() {
            return version - (sameIncarnation ? standbyVersion : 0);
        }

        String describe() {
            String which = (table.equals(TableSpec.AGENTS.name()) ? "agent " : "PRD ") + id;
            return which + " at version " + version + " in the backup, " + (standbyVersion == null ? "absent"
                    : sameIncarnation ? "at version " + standbyVersion : "another incarnation") + " on the standby";
        }
    }

    private record History(long seq, String agent) {
    }

    private record Link(String prd, String agent) {
    }

    /**
     * What the standby lacks: {@code writes} counted as the loss check counts them (an entity's missing versions,
     * a history entry, a link each), with a few of them described.
     */
    record Lack(long writes, long entities, long history, long links, List<String> examples) {

        boolean none() {
            return writes == 0;
        }
    }

    private final Map<String, Entity> entities = new LinkedHashMap<>();
    private final Map<Long, History> history = new LinkedHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();

    private BackupCoverage() {
    }

    /**
     * Compares the standby with the backup in {@code dir} ({@code m} its manifest), then explains what differs by the
     * standby's purge floors and the audit topics from the backup's offsets (which must be these topics').
     */
    static Lack check(Connection standby, Path dir, Manifest m, AuditTopics topics) throws Exception {
        topics.checkRecorded(m.auditOffsets());
        BackupCoverage c = new BackupCoverage();
        c.compare(standby, dir, m);
        if (!c.isEmpty()) {
            c.explainByFloors(StandbyPurgeFloors.readAll(standby), LogSequenceNumber.valueOf(m.snapshotLsn()).asLong());
        }
        if (!c.isEmpty()) {
            AuditCoverage.scan(topics, m.auditOffsets(), c::explainByEvent);
        }
        return c.lack();
    }

    private boolean isEmpty() {
        return entities.isEmpty() && history.isEmpty() && links.isEmpty();
    }

    private void compare(Connection standby, Path dir, Manifest m) throws Exception {
        for (TableSpec t : List.of(TableSpec.AGENTS, TableSpec.PRDS)) {
            String sql = ENTITIES_LACKING_SQL.formatted(t.name());
            chunked(dir, m, t, List.of("id", "version", "created_at"), standby, sql, rs -> {
                Long standbyVersion = rs.getObject(3) == null ? null : rs.getLong(3);
                entities.put(t.name() + ":" + rs.getString(1), new Entity(t.name(), rs.getString(1), rs.getLong(2),
                        standbyVersion, standbyVersion != null && rs.getBoolean(4)));
            });
        }
        chunked(dir, m, TableSpec.AGENT_HISTORY, List.of("seq", "agent_id"), standby, HISTORY_LACKING_SQL,
                rs -> history.put(rs.getLong(1), new History(rs.getLong(1), rs.getString(2))));
        chunked(dir, m, TableSpec.PRD_AGENTS, List.of("prd_id", "agent_id"), standby, LINKS_LACKING_SQL,
                rs -> links.put(rs.getString(1) + ":" + rs.getString(2), new Link(rs.getString(1), rs.getString(2))));
    }

    /** Takes one row of a lookup's result. */
    private interface RowHandler {
        void accept(ResultSet rs) throws SQLException;
    }

    /** Runs {@code sql} on the standby over the backup's {@code columns} of {@code table}, {@link #CHUNK} rows a run. */
    private static void chunked(Path dir, Manifest m, TableSpec table, List<String> columns, Connection standby,
                                String sql, RowHandler each) throws Exception {
        List<List<String>> chunk = new ArrayList<>();
        columns.forEach(col -> chunk.add(new ArrayList<>()));
        try (PreparedStatement ps = standby.prepareStatement(sql)) {
            BackupRows.read(dir, m, table.name(), columns, values -> {
                for (int i = 0; i < values.length; i++) {
                    chunk.get(i).add(values[i]);
                }
                if (chunk.get(0).size() == CHUNK) {
                    lookUp(standby, ps, chunk, each);
                }
            });
            if (!chunk.get(0).isEmpty()) {
                lookUp(standby, ps, chunk, each);
            }
        }
    }

    private static void lookUp(Connection standby, PreparedStatement ps, List<List<String>> chunk, RowHandler each)
            throws SQLException {
        for (int i = 0; i < chunk.size(); i++) {
            Array array = standby.createArrayOf("text", chunk.get(i).toArray());
            ps.setArray(i + 1, array);
        }
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                each.accept(rs);
            }
        }
        chunk.forEach(List::clear);
    }

    /**
     * A purge the standby applied after the backup's snapshot: its floor, the LSN of the entity's delete, is past
     * the snapshot's LSN, which every row of the backup was committed before. A floor below it is of an earlier
     * incarnation's purge and explains nothing.
     */
    private void explainByFloors(StandbyPurgeFloors floors, long snapshotLsn) {
        if (floors.isEmpty() || snapshotLsn <= 0) {
            return;
        }
        String agents = TableSpec.AGENTS.name();
        String prds = TableSpec.PRDS.name();
        entities.values().removeIf(e -> floors.covers(e.table(), e.id(), snapshotLsn));
        history.values().removeIf(h -> floors.covers(agents, h.agent(), snapshotLsn));
        links.values().removeIf(l -> floors.covers(prds, l.prd(), snapshotLsn)
                || floors.covers(agents, l.agent(), snapshotLsn));
    }

    /** An audit event from the backup's offsets on: what the replay brings or what was removed after the backup. */
    private void explainByEvent(JsonNode e) {
        String table = e.path("table").asString();
        boolean deleted = !e.path("after").isObject();
        JsonNode row = deleted ? e.path("before") : e.path("after");
        if (table.equals(TableSpec.AGENT_HISTORY.name())) {
            history.remove(row.path("seq").asLong());
        } else if (table.equals(TableSpec.PRD_AGENTS.name())) {
            links.remove(row.path("prd_id").asString() + ":" + row.path("agent_id").asString());
        } else if (table.equals(TableSpec.AGENTS.name()) || table.equals(TableSpec.PRDS.name())) {
            String id = e.path("id").asString();
            Entity lacking = entities.get(table + ":" + id);
            if (deleted) {
                entities.remove(table + ":" + id);
                if (table.equals(TableSpec.AGENTS.name())) {
                    history.values().removeIf(h -> h.agent().equals(id));
                    links.values().removeIf(l -> l.agent().equals(id));
                } else {
                    links.values().removeIf(l -> l.prd().equals(id));
                }
            } else if (lacking != null && (lacking.standbyVersion() == null || lacking.sameIncarnation())
                    && e.path("version").asLong() >= lacking.version()) {
                entities.remove(table + ":" + id);
            }
        }
    }

    private Lack lack() {
        List<String> examples = new ArrayList<>();
        entities.values().stream().limit(3).map(Entity::describe).forEach(examples::add);
        history.values().stream().limit(2).map(h -> "history entry " + h.seq() + " of agent " + h.agent()
                + " absent on the standby").forEach(examples::add);
        links.values().stream().limit(2).map(l -> "the link of PRD " + l.prd() + " to agent " + l.agent()
                + " absent on the standby").forEach(examples::add);
        long writes = entities.values().stream().mapToLong(Entity::writes).sum() + history.size() + links.size();
        return new Lack(writes, entities.size(), history.size(), links.size(), examples);
    }
}
