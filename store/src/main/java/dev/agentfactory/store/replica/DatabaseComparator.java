package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the factory tables of two databases (primary and standby, original and restored) table by
 * table: row counts and content hashes first, and for a table that differs, a merge of both sides' per-key
 * row hashes naming the first keys that are missing, extra or changed. Plain JDBC, no Spring.
 */
public final class DatabaseComparator {

    /** Which columns count: every column, or only those a replay from the audit topics reproduces. */
    public enum Scope { FULL, REPLAYED }

    static final String DIGEST_SQL = "SELECT count(*), coalesce(sum(('x' || left(md5(%s), 16))::bit(64)::bigint"
            + "::numeric), 0)::text FROM %s t";
    static final String KEYED_SQL = "SELECT %s COLLATE \"C\" AS k, md5(%s) FROM %s t ORDER BY 1";
    private static final int SAMPLES = 10;

    private final Scope scope;

    public DatabaseComparator(Scope scope) {
        this.scope = scope;
    }

    public List<TableSpec> tables() {
        return TableSpec.FACTORY.stream().filter(t -> scope == Scope.FULL || t.isReplayed()).toList();
    }

    /** Digests of every compared table, timestamps rendered in UTC so both sides write the same text. */
    public List<TableDigest> digest(Connection c) throws SQLException {
        utc(c);
        List<TableDigest> out = new ArrayList<>();
        for (TableSpec t : tables()) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(DIGEST_SQL.formatted(t.rowText(columns(t), "t"), t.qualified()))) {
                rs.next();
                out.add(new TableDigest(t.name(), rs.getLong(1), rs.getString(2)));
            }
        }
        return out;
    }

    public ComparisonReport compare(Connection left, Connection right) throws SQLException {
        List<TableDigest> l = digest(left);
        List<TableDigest> r = digest(right);
        List<ComparisonReport.Difference> differences = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if (!l.get(i).equals(r.get(i))) {
                TableSpec t = TableSpec.named(l.get(i).table());
                differences.add(new ComparisonReport.Difference(t.name(), "left " + l.get(i).rows() + " rows, right "
                        + r.get(i).rows() + " rows", samples(t, left, right)));
            }
        }
        return new ComparisonReport(l, differences);
    }

    /** Walks both sides in key order and names the first keys whose rows differ. */
    private List<String> samples(TableSpec t, Connection left, Connection right) throws SQLException {
        String sql = KEYED_SQL.formatted(t.keyText("t"), t.rowText(columns(t), "t"), t.qualified());
        List<String> out = new ArrayList<>();
        boolean leftAutoCommit = left.getAutoCommit();
        boolean rightAutoCommit = right.getAutoCommit();
        try (Statement ls = cursor(left); Statement rs = cursor(right);
             ResultSet a = ls.executeQuery(sql); ResultSet b = rs.executeQuery(sql)) {
            boolean hasA = a.next();
            boolean hasB = b.next();
            while ((hasA || hasB) && out.size() < SAMPLES) {
                int cmp = !hasA ? 1 : !hasB ? -1 : a.getString(1).compareTo(b.getString(1));
                if (cmp < 0) {
                    out.add(a.getString(1) + " only on the left");
                    hasA = a.next();
                } else if (cmp > 0) {
                    out.add(b.getString(1) + " only on the right");
                    hasB = b.next();
                } else {
                    if (!a.getString(2).equals(b.getString(2))) {
                        out.add(a.getString(1) + " differs");
                    }
                    hasA = a.next();
                    hasB = b.next();
                }
            }
        } finally {
            restore(left, leftAutoCommit);
            restore(right, rightAutoCommit);
        }
        return out;
    }

    /** A forward-only statement that fetches in pages (pgjdbc needs a transaction for that). */
    private static Statement cursor(Connection c) throws SQLException {
        c.setAutoCommit(false);
        Statement st = c.createStatement();
        st.setFetchSize(5000);
        return st;
    }

    /** Ends the read-only cursor transaction this class opened; a caller's own transaction stays open. */
    private static void restore(Connection c, boolean autoCommit) throws SQLException {
        if (autoCommit) {
            c.commit();
            c.setAutoCommit(true);
        }
    }

    private List<String> columns(TableSpec t) {
        return scope == Scope.FULL ? List.of("*") : t.replayed();
    }

    private static void utc(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET TIME ZONE 'UTC'");
        }
    }
}
