package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import tools.jackson.databind.json.JsonMapper;

/**
 * Applies row images (column name to value) to factory tables on one connection, the way a replica must:
 * rows with a version column are only replaced by a newer version, other rows are upserted or deleted by
 * key, so applying an image twice, or an older image after a newer one, changes nothing. Runs of the same
 * statement are batched; {@link #flush()} sends them. The caller owns the transaction.
 * Values may be strings, numbers or JSON trees (maps and lists, written as JSON text for jsonb columns).
 */
public final class RowApplier {

    private final Connection connection;
    private final JsonMapper json;
    private final Map<String, ColumnTypes> tables = new HashMap<>();
    private PreparedStatement pending;
    private String pendingSql;
    private long applied;

    public RowApplier(Connection connection, JsonMapper json) {
        this.connection = connection;
        this.json = json;
    }

    /** Inserts the row, or replaces the stored one when it has no version column or an older version. */
    public void upsert(TableSpec table, Map<String, Object> row) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = List.copyOf(row.keySet());
        add(upsertSql(t, columns), columns, row);
    }

    /**
     * Inserts the row unless one with its key exists. For rows that never change once written (version
     * snapshots, history entries, dedup records): a copy rebuilt from a change stream must not overwrite the
     * original where it survived.
     */
    public void insertIfAbsent(TableSpec table, Map<String, Object> row) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = List.copyOf(row.keySet());
        add(insertSql(t, columns) + " DO NOTHING", columns, row);
    }

    /** Deletes by key; a versioned row only when the stored version is not newer than the image's. */
    public void delete(TableSpec table, Map<String, Object> row) throws SQLException {
        ColumnTypes t = types(table);
        List<String> columns = new ArrayList<>(table.key());
        String where = columns.stream().map(c -> TableSpec.quote(c) + " = " + t.param(c))
                .collect(Collectors.joining(" AND "));
        if (table.versionColumn() != null) {
            where += " AND " + TableSpec.quote(table.versionColumn()) + " <= " + t.param(table.versionColumn());
            columns.add(table.versionColumn());
        }
        add("DELETE FROM " + table.qualified() + " WHERE " + where, columns, row);
    }

    /** Sends the batched statements. */
    public void flush() throws SQLException {
        if (pending != null) {
            pending.executeBatch();
            pending.close();
            pending = null;
            pendingSql = null;
        }
    }

    /** Row images handed to this applier so far (applied or found already newer). */
    public long applied() {
        return applied;
    }

    private void add(String sql, List<String> columns, Map<String, Object> row) throws SQLException {
        if (!Objects.equals(sql, pendingSql)) {
            flush();
            pending = connection.prepareStatement(sql);
            pendingSql = sql;
        }
        for (int i = 0; i < columns.size(); i++) {
            pending.setString(i + 1, text(row.get(columns.get(i))));
        }
        pending.addBatch();
        applied++;
    }

    private String text(Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return json.writeValueAsString(value);
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
        ColumnTypes t = tables.get(table.name());
        if (t == null) {
            t = ColumnTypes.load(connection, table);
            tables.put(table.name(), t);
        }
        return t;
    }
}
