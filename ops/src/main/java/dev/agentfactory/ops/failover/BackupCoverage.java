package dev.agentfactory.ops.failover;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.postgresql.replication.LogSequenceNumber;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.BackupRows;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.store.replica.TableSpec;
import tools.jackson.databind.JsonNode;

/**
 * What a backup holds that the standby lacks and a replay from the backup's audit offsets does not bring back: the
 * writes committed before the backup that the standby never received, because its relay sink was off across the
 * backup (a maintenance window, a standby rebuild). The replay and the loss check ({@link AuditCoverage}) both start at
 * the backup's offsets, so without this such writes would be neither replayed nor counted, and the standby promoted
 * with an RPO of 0.
 * <p>
 * The backup itself is the reference, both ways. Every agent and PRD at its version (the same incarnation:
 * {@code created_at}), every history entry and every PRD link it holds must be on the standby, at that version or
 * newer, unless something after the backup explains the difference: a purge the standby applied after the backup's
 * snapshot (its purge floor is past the backup's LSN), or an event in the audit topics from the backup's offsets on,
 * which the replay applies (a newer version of the entity, the history entry, any change of the link) or which
 * removed it (a purge, a history entry's or a link's delete). And every agent and PRD the standby holds must be in the
 * backup, unless an event of its incarnation (its {@code created_at}) lies from the backup's offsets on (created after
 * the backup): one that is not is an entity erased before the backup, whose purge the standby missed and the replay,
 * starting after it, does not apply, even when the id was created again since (the replay refuses that incarnation's
 * row over the standby's).
 * Promoted, the standby would go on serving what was erased; each counts as one write lacking (the purge).
 * <p>
 * The comparison runs on the standby's connection, in temporary tables (the backup's agents and PRDs, then what
 * differs), so what a backup of any size against an empty or wrong standby finds costs disk there, not memory here.
 * The topics are read only when the comparison finds something, so a caught-up standby costs a read of four of the
 * backup's files and a few joins. Nothing is judged by time: a standby caught up on an idle system holds everything
 * the backup holds, however old its newest write.
 * <p>
 * Not compared, as the loss check does not count them: version rows (a standby whose sink was turned on again after
 * a gap holds an entity's newest row but not the versions of the gap), audit rows, outcomes and stored offsets; nor
 * a history entry or link the standby holds that the backup does not (their deletes are part of an entity's purge,
 * which the entity's own check finds, or of a change the entity's newer version brings).
 */
final class BackupCoverage {

    /** Backup rows per statement on the standby, and audit events per batch of explanations. */
    static final int CHUNK = 5_000;
    private static final List<String> TEMP_TABLES = List.of("bc_backup", "bc_entities", "bc_history", "bc_links",
            "bc_erased");
    private static final List<String> CREATE_SQL = List.of(
            "CREATE TEMP TABLE bc_backup (tbl text, id uuid, version bigint, created_at timestamptz, "
                    + "PRIMARY KEY (tbl, id))",
            "CREATE TEMP TABLE bc_entities (tbl text, id uuid, version bigint, standby_version bigint, "
                    + "same_incarnation boolean, PRIMARY KEY (tbl, id))",
            "CREATE TEMP TABLE bc_history (seq bigint PRIMARY KEY, agent_id uuid)",
            "CREATE INDEX ON bc_history (agent_id)",
            "CREATE TEMP TABLE bc_links (prd_id uuid, agent_id uuid, PRIMARY KEY (prd_id, agent_id))",
            "CREATE INDEX ON bc_links (agent_id)",
            "CREATE TEMP TABLE bc_erased (tbl text, id uuid, version bigint, created_at timestamptz, "
                    + "PRIMARY KEY (tbl, id))");
    static final String LOAD_BACKUP_SQL = """
            INSERT INTO pg_temp.bc_backup SELECT ?, b.id::uuid, b.version::bigint, b.created_at::timestamptz
            FROM unnest(?::text[], ?::text[], ?::text[]) AS b(id, version, created_at)""";
    /** An agent or PRD of the backup the standby lacks at the backup's version. */
    static final String ENTITIES_LACKING_SQL = """
            INSERT INTO pg_temp.bc_entities
            SELECT b.tbl, b.id, b.version, s.version, coalesce(s.created_at = b.created_at, false)
            FROM pg_temp.bc_backup b LEFT JOIN factory.%1$s s ON s.id = b.id
            WHERE b.tbl = '%1$s' AND (s.id IS NULL OR s.created_at <> b.created_at OR s.version < b.version)""";
    /** An agent or PRD on the standby the backup does not hold. */
    static final String ENTITIES_ERASED_SQL = """
            INSERT INTO pg_temp.bc_erased SELECT '%1$s', s.id, s.version, s.created_at FROM factory.%1$s s
            WHERE NOT EXISTS (SELECT 1 FROM pg_temp.bc_backup b WHERE b.tbl = '%1$s' AND b.id = s.id)""";
    static final String HISTORY_LACKING_SQL = """
            INSERT INTO pg_temp.bc_history SELECT b.seq::bigint, b.agent_id::uuid
            FROM unnest(?::text[], ?::text[]) AS b(seq, agent_id)
            WHERE NOT EXISTS (SELECT 1 FROM factory.agent_history h WHERE h.seq = b.seq::bigint)""";
    static final String LINKS_LACKING_SQL = """
            INSERT INTO pg_temp.bc_links SELECT b.prd_id::uuid, b.agent_id::uuid
            FROM unnest(?::text[], ?::text[]) AS b(prd_id, agent_id)
            WHERE NOT EXISTS (SELECT 1 FROM factory.prd_agents l
                              WHERE l.prd_id = b.prd_id::uuid AND l.agent_id = b.agent_id::uuid)""";
    static final String HAS_PURGE_FLOORS_SQL = "SELECT to_regclass('factory.cdc_purge_floors') IS NOT NULL";
    /**
     * A purge the standby applied after the backup's snapshot: its floor, the LSN of the entity's delete, is past
     * the snapshot's LSN, which every row of the backup was committed before. A floor below it is of an earlier
     * incarnation's purge and explains nothing.
     */
    static final List<String> EXPLAIN_BY_FLOORS_SQL = List.of("""
            DELETE FROM pg_temp.bc_entities e USING factory.cdc_purge_floors f
            WHERE f.entity_table = e.tbl AND f.entity_id = e.id AND f.purge_lsn >= ?""", """
            DELETE FROM pg_temp.bc_history h USING factory.cdc_purge_floors f
            WHERE f.entity_table = 'agents' AND f.entity_id = h.agent_id AND f.purge_lsn >= ?""", """
            DELETE FROM pg_temp.bc_links l USING factory.cdc_purge_floors f
            WHERE ((f.entity_table = 'prds' AND f.entity_id = l.prd_id)
                   OR (f.entity_table = 'agents' AND f.entity_id = l.agent_id)) AND f.purge_lsn >= ?""");
    static final String HISTORY_EXPLAINED_SQL = "DELETE FROM pg_temp.bc_history WHERE seq = ANY (?::bigint[])";
    static final String LINKS_EXPLAINED_SQL = """
            DELETE FROM pg_temp.bc_links l USING unnest(?::uuid[], ?::uuid[]) AS d(prd_id, agent_id)
            WHERE l.prd_id = d.prd_id AND l.agent_id = d.agent_id""";
    /** A newer version of the entity (of the same incarnation, or of one the standby lacks), which the replay brings. */
    static final String VERSIONS_EXPLAINED_SQL = """
            DELETE FROM pg_temp.bc_entities e USING unnest(?::text[], ?::uuid[], ?::bigint[]) AS d(tbl, id, version)
            WHERE e.tbl = d.tbl AND e.id = d.id AND (e.standby_version IS NULL OR e.same_incarnation)
              AND d.version >= e.version""";
    /** A purge after the backup: the entity, its history entries and its links are expected gone. */
    static final List<String> PURGES_EXPLAINED_SQL = List.of("""
            DELETE FROM pg_temp.bc_entities e USING unnest(?::text[], ?::uuid[]) AS d(tbl, id)
            WHERE e.tbl = d.tbl AND e.id = d.id""", """
            DELETE FROM pg_temp.bc_history h USING unnest(?::text[], ?::uuid[]) AS d(tbl, id)
            WHERE d.tbl = 'agents' AND h.agent_id = d.id""", """
            DELETE FROM pg_temp.bc_links l USING unnest(?::text[], ?::uuid[]) AS d(tbl, id)
            WHERE (d.tbl = 'agents' AND l.agent_id = d.id) OR (d.tbl = 'prds' AND l.prd_id = d.id)""");
    /**
     * An event of the incarnation the standby holds of an entity the backup does not: it was created after the backup.
     * One of another incarnation (the id created again after the purge the standby missed) explains nothing: the
     * replay's upsert refuses it over the standby's row ({@code RowApplier}), which stays the erased entity.
     */
    static final String CREATES_EXPLAINED_SQL = """
            DELETE FROM pg_temp.bc_erased e USING unnest(?::text[], ?::uuid[], ?::text[]) AS d(tbl, id, created_at)
            WHERE e.tbl = d.tbl AND e.id = d.id AND e.created_at = d.created_at::timestamptz""";
    static final String COUNTS_SQL = """
            SELECT (SELECT count(*) FROM pg_temp.bc_entities),
                   (SELECT coalesce(sum(version - CASE WHEN same_incarnation THEN standby_version ELSE 0 END), 0)
                    FROM pg_temp.bc_entities),
                   (SELECT count(*) FROM pg_temp.bc_history), (SELECT count(*) FROM pg_temp.bc_links),
                   (SELECT count(*) FROM pg_temp.bc_erased)""";

    /**
     * What the standby lacks: {@code writes} counted as the loss check counts them (an entity's missing versions,
     * a history entry, a link each, and one for each entity erased before the backup that the standby still holds,
     * its purge), with a few of them described.
     */
    record Lack(long writes, long entities, long history, long links, long erased, List<String> examples) {

        boolean none() {
            return writes == 0;
        }

        /**
         * "lacks N committed writes {@code backup} holds (what they are)", for the subject of a refusal that names
         * the database compared: the erased entities are said only when there are some.
         */
        String lacking(String backup) {
            return "lacks " + writes + " committed writes " + backup + " holds (" + entities + " agents or PRDs at an "
                    + "older version or absent, " + history + " history entries, " + links + " links"
                    + (erased == 0 ? "" : ", and " + erased + " agents or PRDs erased before the backup that it still "
                    + "holds with their versions, history and links: purges it missed, each a write lacking") + ")";
        }
    }

    /** Audit events waiting to be applied to the temporary tables as explanations, {@link #CHUNK} at most. */
    private final List<Long> historySeqs = new ArrayList<>();
    private final List<String> linkPrds = new ArrayList<>();
    private final List<String> linkAgents = new ArrayList<>();
    private final List<String> versionTables = new ArrayList<>();
    private final List<String> versionIds = new ArrayList<>();
    private final List<Long> versions = new ArrayList<>();
    private final List<String> purgeTables = new ArrayList<>();
    private final List<String> purgeIds = new ArrayList<>();
    private final List<String> eventTables = new ArrayList<>();
    private final List<String> eventIds = new ArrayList<>();
    private final List<String> eventIncarnations = new ArrayList<>();
    private int pending;
    private final Connection standby;

    private BackupCoverage(Connection standby) {
        this.standby = standby;
    }

    /**
     * Compares the standby with the backup in {@code dir} ({@code m} its manifest), then explains what differs by the
     * standby's purge floors and the audit topics from the backup's offsets (which must be these topics'), up to
     * {@code until} (null: to their end): an event the replay will not apply (committed after a replay's
     * {@code --until}) explains nothing.
     */
    static Lack check(Connection standby, Path dir, Manifest m, AuditTopics topics, Instant until) throws Exception {
        topics.checkRecorded(m.auditOffsets());
        BackupCoverage c = new BackupCoverage(standby);
        try {
            TempTables.create(standby, TEMP_TABLES, CREATE_SQL);
            c.compare(dir, m);
            if (!c.counted().none()) {
                c.explainByFloors(LogSequenceNumber.valueOf(m.snapshotLsn()).asLong());
            }
            Lack lack = c.counted();
            if (!lack.none()) {
                AuditCoverage.scan(topics, m.auditOffsets(), e -> {
                    if (until == null || !Instant.parse(e.path("commitTime").asString()).isAfter(until)) {
                        c.explainByEvent(e);
                    }
                });
                c.flush();
                lack = c.counted();
            }
            return lack.none() ? lack : c.described(lack);
        } finally {
            TempTables.dropAfterUse(standby, TEMP_TABLES);
        }
    }

    private void compare(Path dir, Manifest m) throws Exception {
        for (TableSpec t : List.of(TableSpec.AGENTS, TableSpec.PRDS)) {
            chunked(dir, m, t, List.of("id", "version", "created_at"), LOAD_BACKUP_SQL, t.name());
        }
        try (Statement st = standby.createStatement()) {
            st.execute("ANALYZE pg_temp.bc_backup");
            for (TableSpec t : List.of(TableSpec.AGENTS, TableSpec.PRDS)) {
                st.executeUpdate(ENTITIES_LACKING_SQL.formatted(t.name()));
                st.executeUpdate(ENTITIES_ERASED_SQL.formatted(t.name()));
            }
        }
        chunked(dir, m, TableSpec.AGENT_HISTORY, List.of("seq", "agent_id"), HISTORY_LACKING_SQL, null);
        chunked(dir, m, TableSpec.PRD_AGENTS, List.of("prd_id", "agent_id"), LINKS_LACKING_SQL, null);
    }

    /**
     * Runs {@code sql} on the standby over the backup's {@code columns} of {@code table}, {@link #CHUNK} rows a run,
     * each column an array parameter, after {@code first} (when not null) as the first parameter.
     */
    private void chunked(Path dir, Manifest m, TableSpec table, List<String> columns, String sql, String first)
            throws Exception {
        List<List<String>> chunk = new ArrayList<>();
        columns.forEach(col -> chunk.add(new ArrayList<>()));
        try (PreparedStatement ps = standby.prepareStatement(sql)) {
            int offset = first == null ? 0 : 1;
            if (first != null) {
                ps.setString(1, first);
            }
            BackupRows.read(dir, m, table.name(), columns, values -> {
                for (int i = 0; i < values.length; i++) {
                    chunk.get(i).add(values[i]);
                }
                if (chunk.get(0).size() == CHUNK) {
                    TempTables.execute(standby, ps, offset, chunk);
                }
            });
            if (!chunk.get(0).isEmpty()) {
                TempTables.execute(standby, ps, offset, chunk);
            }
        }
    }

    private void explainByFloors(long snapshotLsn) throws SQLException {
        if (snapshotLsn <= 0) {
            return;
        }
        try (Statement st = standby.createStatement(); ResultSet rs = st.executeQuery(HAS_PURGE_FLOORS_SQL)) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return;
            }
        }
        for (String sql : EXPLAIN_BY_FLOORS_SQL) {
            try (PreparedStatement ps = standby.prepareStatement(sql)) {
                ps.setLong(1, snapshotLsn);
                ps.executeUpdate();
            }
        }
    }

    /**
     * An audit event from the backup's offsets on: what the replay brings, what was removed after the backup, or a
     * sign that an entity the backup does not hold was created after it. Collected, applied {@link #CHUNK} at a time;
     * each explanation removes a row for good whatever the order, so the events' order does not matter here.
     */
    private void explainByEvent(JsonNode e) throws SQLException {
        String table = e.path("table").asString();
        boolean deleted = !e.path("after").isObject();
        JsonNode row = deleted ? e.path("before") : e.path("after");
        String id = e.path("id").asString();
        if (id.isEmpty()) {
            return; // every event names its entity; this one is not the relay's
        }
        String createdAt = incarnation(table, row);
        if (createdAt != null) {
            eventTables.add("agent".equals(e.path("entity").asString()) ? TableSpec.AGENTS.name()
                    : TableSpec.PRDS.name());
            eventIds.add(id);
            eventIncarnations.add(createdAt);
        }
        if (table.equals(TableSpec.AGENT_HISTORY.name())) {
            historySeqs.add(row.path("seq").asLong());
        } else if (table.equals(TableSpec.PRD_AGENTS.name())) {
            linkPrds.add(row.path("prd_id").asString());
            linkAgents.add(row.path("agent_id").asString());
        } else if (table.equals(TableSpec.AGENTS.name()) || table.equals(TableSpec.PRDS.name())) {
            if (deleted) {
                purgeTables.add(table);
                purgeIds.add(id);
            } else {
                versionTables.add(table);
                versionIds.add(id);
                versions.add(e.path("version").asLong());
            }
        }
        if (++pending >= CHUNK) {
            flush();
        }
    }

    /**
     * The {@code created_at} of the entity an event's row image is of, or null: an entity row's image and a version's
     * snapshot carry it (a purge's before-image too); a history entry or a link does not say which incarnation of its
     * parent it belongs to.
     */
    private static String incarnation(String table, JsonNode row) {
        return switch (table) {
            case "agents", "prds", "agent_versions", "prd_versions" -> row.path("created_at").stringValue(null);
            default -> null;
        };
    }

    private void flush() throws SQLException {
        pending = 0;
        if (!historySeqs.isEmpty()) {
            update(HISTORY_EXPLAINED_SQL, List.of(historySeqs));
        }
        if (!linkPrds.isEmpty()) {
            update(LINKS_EXPLAINED_SQL, List.of(linkPrds, linkAgents));
        }
        if (!versionIds.isEmpty()) {
            update(VERSIONS_EXPLAINED_SQL, List.of(versionTables, versionIds, versions));
        }
        if (!purgeIds.isEmpty()) {
            for (String sql : PURGES_EXPLAINED_SQL) {
                update(sql, List.of(new ArrayList<>(purgeTables), new ArrayList<>(purgeIds)));
            }
            purgeTables.clear();
            purgeIds.clear();
        }
        if (!eventIds.isEmpty()) {
            update(CREATES_EXPLAINED_SQL, List.of(eventTables, eventIds, eventIncarnations));
        }
    }

    private void update(String sql, List<? extends List<?>> arrays) throws SQLException {
        try (PreparedStatement ps = standby.prepareStatement(sql)) {
            TempTables.execute(standby, ps, 0, arrays);
        }
    }

    private Lack counted() throws SQLException {
        try (Statement st = standby.createStatement(); ResultSet rs = st.executeQuery(COUNTS_SQL)) {
            rs.next();
            long entities = rs.getLong(1);
            long history = rs.getLong(3);
            long links = rs.getLong(4);
            long erased = rs.getLong(5);
            return new Lack(rs.getLong(2) + history + links + erased, entities, history, links, erased, List.of());
        }
    }

    /** {@code lack} with a few of what it counts described. */
    private Lack described(Lack lack) throws SQLException {
        List<String> examples = new ArrayList<>();
        try (Statement st = standby.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT tbl, id, version FROM pg_temp.bc_erased "
                    + "ORDER BY tbl, id LIMIT 3")) {
                while (rs.next()) {
                    examples.add(which(rs.getString(1), rs.getString(2)) + " erased before the backup (it does not "
                            + "hold it), still on the standby at version " + rs.getLong(3)
                            + " with its history and links: a purge the standby missed");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT tbl, id, version, standby_version, same_incarnation "
                    + "FROM pg_temp.bc_entities ORDER BY tbl, id LIMIT 3")) {
                while (rs.next()) {
                    Long standbyVersion = rs.getObject(4) == null ? null : rs.getLong(4);
                    examples.add(which(rs.getString(1), rs.getString(2)) + " at version " + rs.getLong(3)
                            + " in the backup, " + (standbyVersion == null ? "absent" : rs.getBoolean(5)
                            ? "at version " + standbyVersion : "another incarnation") + " on the standby");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT seq, agent_id FROM pg_temp.bc_history ORDER BY seq LIMIT 2")) {
                while (rs.next()) {
                    examples.add("history entry " + rs.getLong(1) + " of agent " + rs.getString(2)
                            + " absent on the standby");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT prd_id, agent_id FROM pg_temp.bc_links "
                    + "ORDER BY prd_id, agent_id LIMIT 2")) {
                while (rs.next()) {
                    examples.add("the link of PRD " + rs.getString(1) + " to agent " + rs.getString(2)
                            + " absent on the standby");
                }
            }
        }
        return new Lack(lack.writes(), lack.entities(), lack.history(), lack.links(), lack.erased(), examples);
    }

    private static String which(String table, String id) {
        return (table.equals(TableSpec.AGENTS.name()) ? "agent " : "PRD ") + id;
    }
}
