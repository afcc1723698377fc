package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The column types of a factory table, read from the catalog of the database being written. Reading them
 * rather than listing columns in code keeps row application right when a later migration adds a column.
 */
record ColumnTypes(TableSpec table, Map<String, String> types, boolean identityAlways) {

    static final String COLUMNS_SQL = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity = 'a'
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'factory'
            WHERE c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """;

    static ColumnTypes load(Connection c, TableSpec table) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        boolean identity = false;
        try (PreparedStatement ps = c.prepareStatement(COLUMNS_SQL)) {
            ps.setString(1, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                    identity |= rs.getBoolean(3);
                }
            }
        }
        if (types.isEmpty()) {
            throw new SQLException("the database has no table " + table.qualified() + ": run the migrations first");
        }
        return new ColumnTypes(table, Map.copyOf(types), identity);
    }

    /** Whether the column is an array (format_type names every dimension count {@code <element>[]}). */
    boolean isArray(String column) {
        String type = types.get(column);
        return type != null && type.endsWith("[]");
    }

    String param(String column) {
        String type = types.get(column);
        if (type == null) {
            throw new IllegalArgumentException(table.qualified() + " has no column " + column);
        }
        return "CAST(? AS " + type + ")";
    }
}
