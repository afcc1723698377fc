package dev.agentfactory.store;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Builds the SELECT of a filtered keyset list from fixed fragments; only which fragments appear varies,
 * every value is a bind parameter ({@code :status}, {@code :since}, {@code :text}, {@code :at}, {@code :id},
 * {@code :limit}). Used by the JDBC repositories' filtered {@code list}.
 */
public final class ListSql {

    static final String LIVE = " WHERE deleted_at IS NULL";
    static final String STATUS = " AND status = :status";
    static final String SINCE = " AND updated_at >= :since";
    static final String TEXT = " AND %s ILIKE :text ESCAPE '\\'";
    static final String AFTER_DESC = " AND (updated_at, id) < (:at, :id)";
    static final String AFTER_ASC = " AND (updated_at, id) > (:at, :id)";
    static final String ORDER_DESC = " ORDER BY updated_at DESC, id DESC LIMIT :limit";
    static final String ORDER_ASC = " ORDER BY updated_at, id LIMIT :limit";

    private ListSql() {
    }

    /** Binds the parameters {@link #of} put in the statement (the limit asks for one row more than a page). */
    public static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, String status, ListFilter f, Cursor after,
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

    /**
     * @param select     {@code SELECT <columns> FROM <table>}
     * @param textColumn the column {@link ListFilter#text()} matches
     */
    public static String of(String select, String textColumn, boolean byStatus, ListFilter f, boolean afterCursor) {
        StringBuilder sql = new StringBuilder(select).append(LIVE);
        if (byStatus) {
            sql.append(STATUS);
        }
        if (f.updatedSince() != null) {
            sql.append(SINCE);
        }
        if (f.text() != null) {
            sql.append(String.format(TEXT, textColumn));
        }
        if (afterCursor) {
            sql.append(f.ascending() ? AFTER_ASC : AFTER_DESC);
        }
        return sql.append(f.ascending() ? ORDER_ASC : ORDER_DESC).toString();
    }
}
