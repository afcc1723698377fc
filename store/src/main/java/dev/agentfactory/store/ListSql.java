package dev.agentfactory.store;

import java.util.List;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Builds the SELECT of a keyset list page from fixed fragments; only which fragments appear varies, and
 * every value is a bind parameter ({@code :status}, {@code :since}, {@code :text}, {@code :at}, {@code :id},
 * {@code :limit}) except the table's own status names, which {@link KeysetList} checks. The table has one
 * list index, {@code (status, updated_at, id) WHERE deleted_at IS NULL}, so a list of any status is a UNION
 * ALL of one branch per status, each with its own ORDER BY and LIMIT: the planner merges the branches' index
 * scans in {@code (updated_at, id)} order with a Merge Append instead of reading and sorting every live row
 * (a skip scan, PostgreSQL 18's included, would still return rows in index order, status first).
 */
final class ListSql {

    static final String LIVE = " WHERE deleted_at IS NULL";
    static final String STATUS = " AND status = :status";
    static final String STATUS_IS = " AND status = '%s'";
    static final String SINCE = " AND updated_at >= :since";
    static final String TEXT = " AND %s ILIKE :text ESCAPE '\\'";
    static final String AFTER_DESC = " AND (updated_at, id) < (:at, :id)";
    static final String AFTER_ASC = " AND (updated_at, id) > (:at, :id)";
    static final String ORDER_DESC = " ORDER BY updated_at DESC, id DESC LIMIT :limit";
    static final String ORDER_ASC = " ORDER BY updated_at, id LIMIT :limit";
    static final String UNION = "\nUNION ALL\n";

    private ListSql() {
    }

    /**
     * @param select     {@code SELECT <columns> FROM <table>}
     * @param textColumn the column {@link ListFilter#text()} matches
     * @param statuses   the branches of a list of any status: every value the status CHECK constraint allows,
     *                   as SQL literals (checked by {@link KeysetList})
     */
    static String of(String select, String textColumn, List<String> statuses, boolean byStatus, ListFilter f,
                     boolean afterCursor) {
        String order = f.ascending() ? ORDER_ASC : ORDER_DESC;
        if (byStatus) {
            return branch(select, textColumn, STATUS, f, afterCursor) + order;
        }
        return statuses.stream()
                .map(s -> "(" + branch(select, textColumn, String.format(STATUS_IS, s), f, afterCursor) + order + ")")
                .collect(Collectors.joining(UNION)) + "\n" + order.strip();
    }

    /** Binds the parameters {@link #of} put in the statement (the limit asks for one row more than a page). */
    static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, String status, ListFilter f, Cursor after,
                                         int limit) {
        var bound = spec.param("limit", Page.checkLimit(limit) + 1);
        if (status != null) {
            bound = bound.param("status", status);
        }
        if (f.updatedSince() != null) {
            bound = bound.param("since", StoreJson.timestamp(f.updatedSince()));
        }
        if (f.text() != null) {
            bound = bound.param("text", f.likePattern());
        }
        if (after != null) {
            bound = bound.param("at", StoreJson.timestamp(after.at())).param("id", after.uuid());
        }
        return bound;
    }

    private static String branch(String select, String textColumn, String status, ListFilter f, boolean afterCursor) {
        StringBuilder sql = new StringBuilder(select).append(LIVE).append(status);
        if (f.updatedSince() != null) {
            sql.append(SINCE);
        }
        if (f.text() != null) {
            sql.append(String.format(TEXT, textColumn));
        }
        if (afterCursor) {
            sql.append(f.ascending() ? AFTER_ASC : AFTER_DESC);
        }
        return sql.toString();
    }
}
