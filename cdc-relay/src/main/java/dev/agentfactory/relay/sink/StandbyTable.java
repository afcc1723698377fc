package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A factory table as the standby defines it (column types, primary key, identity), read from the catalog
 * once, and the version-guarded statements that apply a change to it. Reading the catalog rather than
 * listing columns here keeps the sink right when a later migration adds a column on both clusters.
 */
final class StandbyTable {

    static final String COLUMNS_SQL = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity = 'a',
                   a.attnum = ANY (i.indkey) AS in_pk
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'factory'
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            WHERE c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """;

    private final String name;
    private final Map<String, String> types = new LinkedHashMap<>();
    private final List<String> primaryKey = new ArrayList<>();
    private boolean identityAlways;
    private final Map<List<String>, String> upserts = new java.util.concurrent.ConcurrentHashMap<>();
    private String delete;

    private StandbyTable(String name) {
        this.name = name;
    }

    static StandbyTable load(Connection c, String table) throws SQLException {
        StandbyTable t = new StandbyTable(table);
        try (PreparedStatement ps = c.prepareStatement(COLUMNS_SQL)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    t.types.put(rs.getString(1), rs.getString(2));
                    t.identityAlways |= rs.getBoolean(3);
                    if (rs.getBoolean(4)) {
                        t.primaryKey.add(rs.getString(1));
                    }
                }
            }
        }
        if (t.types.isEmpty() || t.primaryKey.isEmpty()) {
            throw new SQLException("standby has no table factory." + table + " with a primary key");
        }
        return t;
    }

    /** Rows with a version column are only replaced by a newer version. */
    boolean versioned() {
        return types.containsKey("version") && !primaryKey.contains("version");
    }

    /** INSERT ... ON CONFLICT DO UPDATE ... WHERE standby.version < excluded.version, for these columns. */
    String upsert(List<String> columns) {
        return upserts.computeIfAbsent(columns, this::buildUpsert);
    }

    private String buildUpsert(List<String> columns) {
        String values = columns.stream().map(this::param).collect(Collectors.joining(", "));
        String updates = columns.stream().filter(col -> !primaryKey.contains(col))
                .map(col -> q(col) + " = excluded." + q(col)).collect(Collectors.joining(", "));
        String conflict = " ON CONFLICT (" + join(primaryKey) + ") ";
        String action = updates.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + updates + (types.containsKey("version")
                        ? " WHERE t.version < excluded.version" : "");
        return "INSERT INTO factory." + q(name) + " AS t (" + join(columns) + ")"
                + (identityAlways ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" + values + ")" + conflict + action;
    }

    /** DELETE by primary key; a versioned row only if the standby does not hold a newer version. */
    String delete() {
        if (delete == null) {
            delete = buildDelete();
        }
        return delete;
    }

    private String buildDelete() {
        String where = primaryKey.stream().map(col -> q(col) + " = " + param(col)).collect(Collectors.joining(" AND "));
        return "DELETE FROM factory." + q(name) + " WHERE " + where
                + (versioned() ? " AND version <= " + param("version") : "");
    }

    List<String> deleteParams() {
        List<String> cols = new ArrayList<>(primaryKey);
        if (versioned()) {
            cols.add("version");
        }
        return cols;
    }

    private String param(String column) {
        String type = types.get(column);
        if (type == null) {
            throw new IllegalStateException("standby table factory." + name + " has no column " + column);
        }
        return "CAST(? AS " + type + ")";
    }

    private static String join(List<String> cols) {
        return cols.stream().map(StandbyTable::q).collect(Collectors.joining(", "));
    }

    private static String q(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
