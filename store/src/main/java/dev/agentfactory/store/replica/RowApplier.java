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
 * rows with a version column are only replaced by a newer version, other rows are upserted or deleted by
 * key, so applying an image twice, or an older image after a newer one, changes nothing. Rows are batched
 * per statement, so a stream alternating between tables still goes out in few round trips; a table's rows
 * keep their order (a second statement on a table sends everything pending first), and tables are sent in
 * the order they first appeared. {@link #flush()} sends them. The caller owns the transaction.
 * Values may be strings, numbers or JSON trees (maps and lists, written as JSON text for jsonb columns);
 * a list for an array column is written as an array literal, and a byte buffer or array as bytea hex.
 */
public final class RowApplier {

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

    /** Deletes by key; a versioned row only when the stored version is not newer than the image's. */
    public void delete(TableSpec table, Map<String, Object> row) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = new ArrayList<>(table.key());
        if (table.versionColumn() != null) {
            columns.add(table.versionColumn());
        }
        add(t, catalog.statement(table.name(), "delete", columns, () -> deleteSql(t)), columns, row);
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
        TableSpec table = t.table();
        String names = columns.stream().map(TableSpec::quote).collect(Collectors.joining(", "));
        String values = columns.stream().map(t::param).collect(Collectors.joining(", "));
        return "INSERT INTO " + table.qualified() + " AS t (" + names + ")"
                + (t.identityAlways() ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" + values + ") ON CONFLICT ("
                + table.key().stream().map(TableSpec::quote).collect(Collectors.joining(", ")) + ")";
    }

    private static String deleteSql(ColumnTypes t) {
        TableSpec table = t.table();
        String where = table.key().stream().map(c -> TableSpec.quote(c) + " = " + t.param(c))
                .collect(Collectors.joining(" AND "));
        if (table.versionColumn() != null) {
            where += " AND " + TableSpec.quote(table.versionColumn()) + " <= " + t.param(table.versionColumn());
        }
        return "DELETE FROM " + table.qualified() + " WHERE " + where;
    }

    private static String upsertSql(ColumnTypes t, List<String> columns) {
        TableSpec table = t.table();
        String updates = columns.stream().filter(c -> !table.key().contains(c))
                .map(c -> TableSpec.quote(c) + " = excluded." + TableSpec.quote(c)).collect(Collectors.joining(", "));
        String action = updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + updates
                + (table.versionColumn() == null ? "" : " WHERE t." + TableSpec.quote(table.versionColumn())
                        + " < excluded." + TableSpec.quote(table.versionColumn()));
        return insertSql(t, columns) + " " + action;
    }

    private ColumnTypes types(TableSpec table) throws SQLException {
        return catalog.types(connection, table);
    }
}
