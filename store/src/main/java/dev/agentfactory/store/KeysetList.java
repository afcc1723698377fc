package dev.agentfactory.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The keyset-paginated list of a table's live rows ({@code deleted_at IS NULL}), newest first unless the
 * filter asks for oldest first, of one status or of any; the statements are {@link ListSql}'s.
 *
 * @param select     {@code SELECT <columns> FROM <table>}
 * @param textColumn the column {@link ListFilter#text()} matches
 * @param statuses    every status the table allows, from the Java enum that mirrors its CHECK constraint
 * @param bulkColumns the selected columns that can be large (JSON, a PRD's body), which a page's budget counts
 *                    ({@link PageReader})
 */
public record KeysetList(String select, String textColumn, List<String> statuses, List<String> bulkColumns) {

    // The statuses become literals in the statement; they come from an enum, but the form is checked anyway.
    private static final Pattern STATUS_LITERAL = Pattern.compile("[a-z][a-z_]*");

    public KeysetList {
        statuses = List.copyOf(statuses);
        bulkColumns = List.copyOf(bulkColumns);
        if (statuses.isEmpty() || !statuses.stream().allMatch(s -> STATUS_LITERAL.matcher(s).matches())) {
            throw new IllegalArgumentException("statuses must be lower-case identifiers: " + statuses);
        }
    }

    /** The statement of one page: of {@code status} or of any, after a cursor or the first. */
    public String sql(boolean byStatus, ListFilter filter, boolean afterCursor) {
        return ListSql.of(select, textColumn, statuses, byStatus, filter, afterCursor);
    }

    /** One page after {@code cursor} (null: the first), of {@code status} (null: any). */
    public <T> Page<T> page(JdbcClient jdbc, PageReader pages, String status, ListFilter filter, String cursor,
                            int limit, RowMapper<T> mapper, Function<T, Instant> updatedAt, Function<T, UUID> id) {
        Cursor after = Cursor.decode(cursor);
        var spec = ListSql.bind(jdbc.sql(sql(status != null, filter, after != null)), status, filter, after, limit);
        return pages.readList(spec, limit, mapper, bulkColumns, row -> Cursor.encode(updatedAt.apply(row), id.apply(row)));
    }
}
