package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tables that rollback scripts would drop while they hold rows: what {@code db rollback} loses for good and
 * refuses to drop without {@code --drop-data}. Read from the scripts themselves ({@code DROP TABLE},
 * {@code DROP SCHEMA}), so a rollback script that drops a table is covered with no list here to keep up to date.
 */
final class DroppedData {

    /**
     * Rows that are not data: the heartbeat table's one row, which V3_1 inserts and the relay keeps rewriting.
     * Counting it would make every rollback past V3_1 need {@code --drop-data}.
     */
    private static final Set<String> NOT_DATA = Set.of("factory.cdc_heartbeat");
    private static final String TABLES_OF_SCHEMA = """
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p') ORDER BY c.relname""";
    private static final String EXISTS = "SELECT to_regclass(?) IS NOT NULL";

    private DroppedData() {
    }

    /**
     * Of the tables the scripts drop, those that exist and hold rows, in the order the scripts drop them. Each is
     * locked {@code IN SHARE MODE} before it is counted, so {@code c} must be in the transaction that then runs the
     * scripts: until it ends nobody can insert into a table found empty (a relay's first {@code cdc_offsets} row
     * would otherwise land between the count and the drop, and go with the table unasked). SHARE lets reads through.
     */
    static List<String> holdingRows(Connection c, List<String> scripts) throws SQLException {
        if (c.getAutoCommit()) {
            throw new IllegalStateException("the row check must run in the rollback's transaction, or its locks end"
                    + " before the scripts run");
        }
        Set<String> dropped = new LinkedHashSet<>();
        for (String sql : scripts) {
            dropped.addAll(ScriptDrops.tables(sql));
            for (String schema : ScriptDrops.schemas(sql)) {
                dropped.addAll(tablesOf(c, schema));
            }
        }
        dropped.removeAll(NOT_DATA);
        List<String> withRows = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (String table : dropped) {
                if (exists(c, table) && lockedHasRows(st, table)) {
                    withRows.add(table);
                }
            }
        }
        return withRows;
    }

    /** The tables of {@code schema}, schema-qualified and quoted, by name. */
    static List<String> tablesOf(Connection c, String schema) throws SQLException {
        return SchemaRows.of(c, TABLES_OF_SCHEMA, schema);
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EXISTS)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Locks {@code table} against writes until the transaction ends, then looks for a row. {@code table} is a name
     * to_regclass resolved: from a script of ours or quoted by the catalog query.
     */
    private static boolean lockedHasRows(Statement st, String table) throws SQLException {
        st.execute("LOCK TABLE " + table + " IN SHARE MODE");
        try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
