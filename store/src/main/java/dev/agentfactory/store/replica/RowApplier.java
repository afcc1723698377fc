package dev.agentfactory.store.replica;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import tools.jackson.databind.json.JsonMapper;

/**
 * Applies row images (column name to value) to factory tables on one connection, the way a replica must:
 * rows with a version column are only replaced by a newer version of the same incarnation (an entity purged and
 * created again under its id is another one), other rows are upserted or deleted by key, so applying an image
 * twice, or an older image after a newer one, changes nothing. Rows are batched
 * per statement, so a stream alternating between tables still goes out in few round trips; a table's rows
 * keep their order (a second statement on a table sends everything pending first), and tables are sent in
 * the order they first appeared. {@link #flush()} sends them. The caller owns the transaction.
 * Values may be strings, numbers or JSON trees (maps and lists, written as JSON text for jsonb columns);
 * a list for an array column is written as an array literal, and a byte buffer or array as bytea hex.
 */
public final class RowApplier {

    /** The bound name of a guarded statement's version parameter; no column has it ({@code -} is not quoted). */
    private static final String GUARD_VERSION = "-guard-version";

    private final Connection connection;
    private final JsonMapper json;
    private final ColumnCatalog catalog;
    /** Statement text to its batch, in first-use order; each entry also remembers its table. */
    private final Map<String, PreparedStatement> pending = new LinkedHashMap<>();
    private final Map<String, String> pendingByTable = new HashMap<>();
    private long applied;

    /** An applier that reads the column types of the connection's database once, for its own use. */
    public RowApplier(Connection connection, JsonMapper json) {
        this(connection, json, new ColumnCatalog());
    }

    /** An applier that takes column types from a catalog kept across connections to the same database. */
    public RowApplier(Connection connection, JsonMapper json, ColumnCatalog catalog) {
        this.connection = connection;
        this.json = json;
        this.catalog = catalog;
    }

    /** Inserts the row, or replaces the stored one when it has no version column or an older version. */
    public void upsert(TableSpec table, Map<String, Object> row) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = List.copyOf(row.keySet());
        add(t, catalog.statement(table.name(), "upsert", columns, () -> upsertSql(t, columns)), columns, row);
    }

    /**
     * Inserts the row unless one with its key exists. For rows that never change once written (version
     * snapshots, history entries, dedup records): a copy rebuilt from a change stream must not overwrite the
     * original where it survived.
     */
    public void insertIfAbsent(TableSpec table, Map<String, Object> row) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = List.copyOf(row.keySet());
        add(t, catalog.statement(table.name(), "insert", columns, () -> insertSql(t, columns) + " DO NOTHING"),
                columns, row);
    }

    /**
     * Deletes by key; a versioned row only when the stored version is not newer than the image's, and is the same
     * incarnation ({@link TableSpec#incarnationColumn()}) when the image carries it.
     */
    public void delete(TableSpec table, Map<String, Object> row) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = deleteColumns(table, row);
        add(t, catalog.statement(table.name(), "delete", columns, () -> deleteSql(t, columns)), columns, row);
    }

    private static List<String> deleteColumns(TableSpec table, Map<String, Object> row) {
        List<String> columns = new ArrayList<>(table.key());
        if (table.versionColumn() != null) {
            columns.add(table.versionColumn());
        }
        if (table.incarnationColumn() != null && row.get(table.incarnationColumn()) != null) {
            columns.add(table.incarnationColumn());
        }
        return columns;
    }

    /**
     * As {@link #upsert}, unless the row's parent already holds a version newer than {@code version}: for rows that
     * have no version of their own (a PRD's links) and change as versions of their parent, so a change older than
     * the parent's stored state (a replica ahead of the change stream) is not applied over it. {@code parentColumn}
     * is the row's column that holds the parent's key. The parent's version is read when the batch is sent.
     */
    public void upsertUnlessParentNewer(TableSpec table, Map<String, Object> row, TableSpec parent,
                                        String parentColumn, long version) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = List.copyOf(row.keySet());
        add(t, catalog.statement(table.name(), "upsert-unless:" + parent.name() + "." + parentColumn, columns,
                () -> upsertSql(t, columns, parentGuard(t, parent, parentColumn))),
                guarded(columns, parentColumn), guarded(row, version));
    }

    /** As {@link #delete}, unless the row's parent already holds a version newer than {@code version}. */
    public void deleteUnlessParentNewer(TableSpec table, Map<String, Object> row, TableSpec parent,
                                        String parentColumn, long version) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = deleteColumns(table, row);
        add(t, catalog.statement(table.name(), "delete-unless:" + parent.name() + "." + parentColumn, columns,
                () -> deleteSql(t, columns) + " AND " + parentGuard(t, parent, parentColumn)),
                guarded(columns, parentColumn), guarded(row, version));
    }

    /** Sends the batched statements. */
    public void flush() throws SQLException {
        try {
            for (PreparedStatement ps : pending.values()) {
                ps.executeBatch();
            }
        } finally {
            for (PreparedStatement ps : pending.values()) {
                ps.close();
            }
            pending.clear();
            pendingByTable.clear();
        }
    }

    /**
     * The column's type as the target's catalog names it ({@code format_type}: {@code bytea}, {@code text[]}),
     * or null when the table has no such column; for callers that must decode a value's transport form first.
     */
    public String columnType(TableSpec table, String column) throws SQLException {
        return types(table).types().get(column);
    }

    /** Row images handed to this applier so far (applied or found already newer). */
    public long applied() {
        return applied;
    }

    private void add(ColumnTypes t, String sql, List<String> columns, Map<String, Object> row)
            throws SQLException {
        TableSpec table = t.table();
        String current = pendingByTable.get(table.name());
        if (current != null && !current.equals(sql)) {
            flush(); // e.g. an unlink after a link of the same pair: the order between them matters
        }
        PreparedStatement ps = pending.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            pending.put(sql, ps);
            pendingByTable.put(table.name(), sql);
        }
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            ps.setString(i + 1, text(row.get(column), t.isArray(column)));
        }
        ps.addBatch();
        applied++;
    }

    /** The value's text form for a column; {@code array}: the column is an array, not a jsonb list. */
    private String text(Object value, boolean array) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (array && value instanceof List<?> list) {
            return PgText.arrayLiteral(list, v -> text(v, false));
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return json.writeValueAsString(value);
        }
        if (value instanceof ByteBuffer buffer) {
            return PgText.bytea(buffer);
        }
        if (value instanceof byte[] bytes) {
            return PgText.bytea(bytes);
        }
        return value.toString();
    }

    private static String insertSql(ColumnTypes t, List<String> columns) {
        return insertSql(t, columns, null);
    }

    /** {@code guard}: a condition the new row is inserted under, or null for none. */
    private static String insertSql(ColumnTypes t, List<String> columns, String guard) {
        TableSpec table = t.table();
        String names = columns.stream().map(TableSpec::quote).collect(Collectors.joining(", "));
        String values = columns.stream().map(t::param).collect(Collectors.joining(", "));
        return "INSERT INTO " + table.qualified() + " AS t (" + names + ")"
                + (t.identityAlways() ? " OVERRIDING SYSTEM VALUE" : "")
                + (guard == null ? " VALUES (" + values + ")" : " SELECT " + values + " WHERE " + guard)
                + " ON CONFLICT (" + table.key().stream().map(TableSpec::quote).collect(Collectors.joining(", ")) + ")";
    }

    /** True unless the parent named by the row's {@code parentColumn} has a version above the bound one. */
    private static String parentGuard(ColumnTypes t, TableSpec parent, String parentColumn) {
        return "NOT EXISTS (SELECT FROM " + parent.qualified() + " p WHERE p." + TableSpec.quote(parent.key().get(0))
                + " = " + t.param(parentColumn) + " AND p." + TableSpec.quote(parent.versionColumn())
                + " > CAST(? AS bigint))";
    }

    /** The bound columns of a guarded statement: the row's, then the guard's parent key and version. */
    private static List<String> guarded(List<String> columns, String parentColumn) {
        List<String> bound = new ArrayList<>(columns);
        bound.add(parentColumn);
        bound.add(GUARD_VERSION);
        return bound;
    }

    private static Map<String, Object> guarded(Map<String, Object> row, long version) {
        Map<String, Object> bound = new HashMap<>(row);
        bound.put(GUARD_VERSION, version);
        return bound;
    }

    private static String deleteSql(ColumnTypes t, List<String> columns) {
        TableSpec table = t.table();
        String where = table.key().stream().map(c -> TableSpec.quote(c) + " = " + t.param(c))
                .collect(Collectors.joining(" AND "));
        if (table.versionColumn() != null) {
            where += " AND " + TableSpec.quote(table.versionColumn()) + " <= " + t.param(table.versionColumn());
        }
        if (table.incarnationColumn() != null && columns.contains(table.incarnationColumn())) {
            where += " AND " + TableSpec.quote(table.incarnationColumn()) + " = " + t.param(table.incarnationColumn());
        }
        return "DELETE FROM " + table.qualified() + " WHERE " + where;
    }

    private static String upsertSql(ColumnTypes t, List<String> columns) {
        return upsertSql(t, columns, null);
    }

    private static String upsertSql(ColumnTypes t, List<String> columns, String guard) {
        TableSpec table = t.table();
        String updates = columns.stream().filter(c -> !table.key().contains(c))
                .map(c -> TableSpec.quote(c) + " = excluded." + TableSpec.quote(c)).collect(Collectors.joining(", "));
        String incarnation = table.incarnationColumn();
        String action = updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + updates
                + (table.versionColumn() == null ? "" : " WHERE t." + TableSpec.quote(table.versionColumn())
                        + " < excluded." + TableSpec.quote(table.versionColumn()))
                + (incarnation == null || !columns.contains(incarnation) ? ""
                        : " AND t." + TableSpec.quote(incarnation) + " = excluded." + TableSpec.quote(incarnation));
        return insertSql(t, columns, guard) + " " + action;
    }

    private ColumnTypes types(TableSpec table) throws SQLException {
        return catalog.types(connection, table);
    }
}
