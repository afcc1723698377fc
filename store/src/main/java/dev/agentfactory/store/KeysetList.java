package dev.agentfactory.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The newest-first keyset list of a table's live rows, optionally of one status, as four statements
 * rather than one with {@code (:status IS NULL OR …)}, so that each plan uses its partial index
 * ({@code (updated_at, id)} or {@code (status, updated_at, id)} where {@code deleted_at IS NULL}).
 */
public record KeysetList(String first, String after, String firstByStatus, String afterByStatus) {

    public static KeysetList of(String table, String columns) {
        String select = "SELECT " + columns + " FROM " + table + " WHERE deleted_at IS NULL";
        String order = " ORDER BY updated_at DESC, id DESC LIMIT :limit";
        String afterCursor = " AND (updated_at, id) < (:at, :id)";
        String byStatus = " AND status = :status";
        return new KeysetList(select + order, select + afterCursor + order, select + byStatus + order,
                select + byStatus + afterCursor + order);
    }

    /** One page after {@code cursor} (null: the first), of {@code status} (null: any). */
    public <T> Page<T> page(JdbcClient jdbc, TransientRetry retry, String status, String cursor, int limit,
                            RowMapper<T> mapper, Function<T, Instant> updatedAt, Function<T, UUID> id) {
        Cursor position = Cursor.decode(cursor);
        String sql = status == null ? (position == null ? first : after)
                : (position == null ? firstByStatus : afterByStatus);
        var spec = jdbc.sql(sql).param("limit", Page.checkLimit(limit) + 1);
        if (status != null) {
            spec = spec.param("status", status);
        }
        if (position != null) {
            spec = spec.param("at", StoreJson.timestamp(position.at())).param("id", position.uuid());
        }
        var bound = spec;
        List<T> rows = retry.run(() -> bound.query(mapper).list());
        return Page.of(rows, limit, row -> Cursor.encode(updatedAt.apply(row), id.apply(row)));
    }
}
