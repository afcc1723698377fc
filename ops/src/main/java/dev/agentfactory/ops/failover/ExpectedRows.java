package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The loss check's comparison ({@link AuditCoverage}): what the audit topics say the standby must hold goes into
 * temporary tables on its connection, {@link BackupCoverage#CHUNK} rows a statement, and a few joins count what it
 * lacks. Only what the topics named is read from the standby's tables, and only counts come back: reading its every
 * agent and PRD version, history seq and link into the heap, as this check did, ended {@code ops failover} with an
 * OutOfMemoryError on a large standby, after the replay, where {@code --force} could not skip it.
 */
final class ExpectedRows {

    /** What the topics last said of an agent or PRD: its version and incarnation ({@code created_at}, or null). */
    record Entity(String table, String id, long version, String createdAt) {

        /** This, followed by {@code next} of the same entity: the id created again after a purge is another one. */
        Entity then(Entity next) {
            return Objects.equals(createdAt, next.createdAt)
                    ? new Entity(table, id, Math.max(version, next.version), createdAt) : next;
        }
    }

    /** What the topics last said of one PRD-agent link: whether it exists, and the PRD version that said so. */
    record Link(String prd, String agent, boolean present, Long version) {
    }

    private static final List<String> TEMP_TABLES = List.of("ac_entities", "ac_history", "ac_links");
    private static final List<String> CREATE_SQL = List.of(
            "CREATE TEMP TABLE ac_entities (tbl text, id uuid, version bigint, created_at timestamptz, "
                    + "PRIMARY KEY (tbl, id))",
            "CREATE TEMP TABLE ac_history (seq bigint PRIMARY KEY)",
            "CREATE TEMP TABLE ac_links (prd_id uuid, agent_id uuid, present boolean, version bigint, "
                    + "PRIMARY KEY (prd_id, agent_id))");
    static final String LOAD_ENTITIES_SQL = """
            INSERT INTO pg_temp.ac_entities SELECT d.tbl, d.id::uuid, d.version::bigint, d.created_at::timestamptz
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS d(tbl, id, version, created_at)""";
    static final String LOAD_HISTORY_SQL = "INSERT INTO pg_temp.ac_history SELECT unnest(?::text[])::bigint";
    static final String LOAD_LINKS_SQL = """
            INSERT INTO pg_temp.ac_links SELECT d.prd_id::uuid, d.agent_id::uuid, d.present::boolean, d.version::bigint
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS d(prd_id, agent_id, present, version)""";
    /**
     * The versions of an agent or PRD the standby lacks: those past its version, or all of them when it holds none of
     * the topics' incarnation (absent, or another {@code created_at}: an id created again after a purge the standby
     * missed, whose rows the replay refuses over the erased one's).
     */
    static final String ENTITIES_MISSING_SQL = """
            SELECT coalesce(sum(CASE WHEN s.id IS NULL OR s.created_at <> e.created_at THEN e.version
                                     ELSE greatest(0, e.version - s.version) END), 0)
            FROM pg_temp.ac_entities e LEFT JOIN factory.%1$s s ON s.id = e.id WHERE e.tbl = '%1$s'""";
    static final String HISTORY_MISSING_SQL = """
            SELECT count(*) FROM pg_temp.ac_history h
            WHERE NOT EXISTS (SELECT 1 FROM factory.agent_history s WHERE s.seq = h.seq)""";
    /** A link or unlink the standby does not show, unless its PRD is already past the version that made it. */
    static final String LINKS_MISSING_SQL = """
            SELECT count(*) FROM pg_temp.ac_links l
            WHERE l.present <> EXISTS (SELECT 1 FROM factory.prd_agents s
                                       WHERE s.prd_id = l.prd_id AND s.agent_id = l.agent_id)
              AND (l.version IS NULL
                   OR coalesce((SELECT p.version FROM factory.prds p WHERE p.id = l.prd_id), 0) <= l.version)""";

    private ExpectedRows() {
    }

    /** How many of the entities' versions, the history entries and the links the database {@code db} lacks. */
    static long missing(Connection db, Collection<Entity> entities, Collection<Long> history, Collection<Link> links)
            throws SQLException {
        TempTables.create(db, TEMP_TABLES, CREATE_SQL);
        try {
            load(db, LOAD_ENTITIES_SQL, entities.stream().map(e -> Arrays.asList(e.table(), e.id(), e.version(),
                    e.createdAt())));
            load(db, LOAD_HISTORY_SQL, history.stream().map(List::of));
            load(db, LOAD_LINKS_SQL, links.stream().map(l -> Arrays.asList(l.prd(), l.agent(), l.present(),
                    l.version())));
            long missing = 0;
            try (Statement st = db.createStatement()) {
                // so that a small window's rows are looked up by key, not a large standby's tables scanned
                st.execute("ANALYZE " + String.join(", ", TEMP_TABLES.stream().map(t -> "pg_temp." + t).toList()));
                for (String sql : List.of(ENTITIES_MISSING_SQL.formatted("agents"),
                        ENTITIES_MISSING_SQL.formatted("prds"), HISTORY_MISSING_SQL, LINKS_MISSING_SQL)) {
                    try (ResultSet rs = st.executeQuery(sql)) {
                        rs.next();
                        missing += rs.getLong(1);
                    }
                }
            }
            return missing;
        } finally {
            TempTables.dropAfterUse(db, TEMP_TABLES);
        }
    }

    /** Runs {@code sql} over {@code rows}, {@link BackupCoverage#CHUNK} a statement, each column a text array. */
    private static void load(Connection db, String sql, Stream<? extends List<?>> rows) throws SQLException {
        List<List<Object>> columns = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (Iterator<? extends List<?>> it = rows.iterator(); it.hasNext(); ) {
                List<?> row = it.next();
                while (columns.size() < row.size()) {
                    columns.add(new ArrayList<>());
                }
                for (int i = 0; i < row.size(); i++) {
                    columns.get(i).add(row.get(i));
                }
                if (columns.get(0).size() == BackupCoverage.CHUNK) {
                    TempTables.execute(db, ps, 0, columns);
                }
            }
            if (!columns.isEmpty() && !columns.get(0).isEmpty()) {
                TempTables.execute(db, ps, 0, columns);
            }
        }
    }
}
