package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Session-local tables on the standby's connection, where the failover's comparisons ({@link BackupCoverage},
 * {@link ExpectedRows}) keep what they compare: what the backup or the audit topics hold goes in in chunks of text
 * arrays and is joined there with the standby's tables, so neither side's size costs heap here.
 */
final class TempTables {

    private TempTables() {
    }

    /** Drops {@code tables} (left over from an earlier run on this session, if any), then runs {@code ddl}. */
    static void create(Connection c, List<String> tables, List<String> ddl) throws SQLException {
        drop(c, tables);
        try (Statement st = c.createStatement()) {
            for (String sql : ddl) {
                st.execute(sql);
            }
        }
    }

    /**
     * {@link #drop} for a {@code finally}: a drop failing on a connection that broke mid-comparison must not replace
     * the error that broke it, and the tables go with the session anyway (the callers close it right after).
     */
    static void dropAfterUse(Connection c, List<String> tables) {
        try {
            drop(c, tables);
        } catch (SQLException e) {
            // left to the session's end
        }
    }

    static void drop(Connection c, List<String> tables) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + String.join(", ", tables.stream().map(t -> "pg_temp." + t).toList()));
        }
    }

    /**
     * Runs {@code ps} with each of {@code columns} as a text array parameter, after the first {@code offset}
     * parameters (set by the caller), then empties the columns for the next chunk.
     */
    static void execute(Connection c, PreparedStatement ps, int offset, List<? extends List<?>> columns)
            throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            ps.setArray(offset + i + 1, c.createArrayOf("text", columns.get(i).stream()
                    .map(v -> v == null ? null : String.valueOf(v)).toArray()));
        }
        ps.executeUpdate();
        columns.forEach(List::clear);
    }
}
