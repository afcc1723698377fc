package dev.agentfactory.store;

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
