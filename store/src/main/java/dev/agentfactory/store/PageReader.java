package dev.agentfactory.store;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads one page of rows that carry large columns (entity documents, a PRD's body, version snapshots, history
 * entries, audit details): up to {@code limit} rows, but no more than a byte budget of those columns. Any such row
 * can be as large as an entity may grow, and a page of 200 was transferred whole, held by the driver and parsed: a
 * few concurrent requests for large pages could exhaust a gateway instance's heap. A page ends after the row that
 * reaches the budget, never empty, and its cursor continues where it stopped.
 * <p>
 * Versions, history and audit pages apply the budget in the statement ({@link #budgeted}, {@link #read}), still one
 * round trip in autocommit (the gateway reads through a transaction pooler, where every extra round trip holds a
 * pooled connection longer): PostgreSQL adds up the UTF-8 size of each row's large columns in page order and returns
 * the rows up to the one that reaches the budget, with the number of rows the page's query found. Lists of entities,
 * the hot path, apply it as they map their rows ({@link #readList}).
 */
public final class PageReader {

    /** The default budget ({@code factory.store-page-budget}): thousands of ordinary rows, a few of the largest. */
    public static final long DEFAULT_BUDGET_BYTES = 4L * 1024 * 1024;

    /**
     * Two filters: first on the rows' stored sizes, which cost nothing to read, so that rows already far past the
     * budget are never rendered; then on the UTF-8 length of their text, which is what the page will carry (a stored
     * value can be much smaller: compressed, or a number stored compactly and printed with every digit). The page's
     * row count is taken before either, so a page the budget cut still says that more rows follow.
     */
    static final String BUDGETED = """
            SELECT * FROM (
              SELECT r.*, sum(r.page_bytes) OVER (ORDER BY %1$s ROWS UNBOUNDED PRECEDING) - r.page_bytes AS page_bytes_before
              FROM (
                SELECT s.*, %2$s AS page_bytes FROM (
                  SELECT q.*, count(*) OVER () AS page_rows,
                         sum(%3$s) OVER (ORDER BY %1$s ROWS UNBOUNDED PRECEDING) - (%3$s) AS page_stored_before
                  FROM (%4$s) q
                ) s WHERE s.page_stored_before < :pageBudget
              ) r
            ) w WHERE w.page_bytes_before < :pageBudget ORDER BY %1$s""";
    /** A column's size as the page carries it, the UTF-8 length of its text (a NULL counts nothing). */
    static final String TEXT_SIZE = "coalesce(octet_length(%s::text), 0)";
    /** A column's stored size, compressed or not. */
    static final String STORED_SIZE = "coalesce(pg_column_size(%s), 0)";
    // the last ORDER BY: a list of any status has one in each branch of its UNION as well
    private static final Pattern ORDER_LIMIT = Pattern.compile("^.*ORDER BY (.+?) LIMIT :limit\\s*$", Pattern.DOTALL);

    private final TransientRetry retry;
    private final long budgetBytes;

    public PageReader(TransientRetry retry, long budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("the page budget must be positive, was " + budgetBytes);
        }
        this.retry = retry;
        this.budgetBytes = budgetBytes;
    }

    /**
     * {@code pageSql}, which ends in {@code ORDER BY <keys> LIMIT :limit}, with the budget applied to the
     * {@code bulkColumns} it selects; binds {@code :pageBudget} (which {@link #read} sets) besides its own parameters.
     */
    public static String budgeted(String pageSql, List<String> bulkColumns) {
        Matcher m = ORDER_LIMIT.matcher(pageSql);
        if (!m.find() || bulkColumns.isEmpty()) {
            throw new IllegalArgumentException("a budgeted page needs ORDER BY … LIMIT :limit and a large column: "
                    + pageSql);
        }
        String text = String.join(" + ", bulkColumns.stream().map(c -> TEXT_SIZE.formatted("s." + c)).toList());
        String stored = String.join(" + ", bulkColumns.stream().map(c -> STORED_SIZE.formatted("q." + c)).toList());
        return BUDGETED.formatted(m.group(1).strip(), text, stored, pageSql);
    }

    /**
     * A page of a list of entities ({@link KeysetList}), the dashboard's hot path, where the budgeted statement's
     * windows cost too much: at 2,000 uncached list pages a second on two cores the gateway fell behind (p95 689 ms
     * against 13). The statement is the plain one; the budget is applied as its rows are mapped, by the characters of
     * their {@code bulkColumns}, so no more than the budget is parsed, while the driver still receives the
     * {@code limit + 1} rows, each bounded by the entity size limit.
     */
    public <T> Page<T> readList(JdbcClient.StatementSpec spec, int limit, RowMapper<T> mapper, List<String> bulkColumns,
                                Function<T, String> cursorOf) {
        return retry.run(() -> spec.query((ResultSet rs) -> {
            List<T> rows = new ArrayList<>();
            long chars = 0;
            while (rs.next()) {
                if (rows.size() == limit || chars >= budgetBytes) {
                    return new Page<>(rows, cursorOf.apply(rows.get(rows.size() - 1)));
                }
                for (String column : bulkColumns) {
                    String value = rs.getString(column);
                    chars += value == null ? 0 : value.length();
                }
                rows.add(mapper.mapRow(rs, rows.size()));
            }
            return new Page<>(rows, null);
        }));
    }

    /**
     * The page of {@code spec}, a {@link #budgeted} statement bound to fetch {@code limit + 1} rows (the extra one
     * only saying that another page exists).
     */
    public <T> Page<T> read(JdbcClient.StatementSpec spec, int limit, RowMapper<T> mapper, Function<T, String> cursorOf) {
        return retry.run(() -> spec.param("pageBudget", budgetBytes).query((ResultSet rs) -> {
            List<T> rows = new ArrayList<>();
            long found = 0;
            while (rs.next() && rows.size() < limit) {
                found = rs.getLong("page_rows");
                rows.add(mapper.mapRow(rs, rows.size()));
            }
            return found > rows.size() ? new Page<>(rows, cursorOf.apply(rows.get(rows.size() - 1)))
                    : new Page<>(rows, null);
        }));
    }
}
