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
 * few concurrent requests for large pages could exhaust a gateway instance's heap. The budget is applied by the
 * statement itself ({@link #budgeted}), so a page is still one round trip in autocommit (the gateway reads through
 * a transaction pooler, where every extra round trip holds a pooled connection longer): PostgreSQL adds up the UTF-8
 * size of each row's large columns in page order and returns the rows up to the one that reaches the budget, never
 * none, with the number of rows the page's query found, which says whether another page follows.
 */
public final class PageReader {

    /** The default budget ({@code factory.store-page-budget}): thousands of ordinary rows, a few of the largest. */
    public static final long DEFAULT_BUDGET_BYTES = 4L * 1024 * 1024;

    static final String BUDGETED = """
            SELECT * FROM (
              SELECT q.*, count(*) OVER () AS page_rows,
                     sum(q.page_bytes) OVER (ORDER BY %1$s ROWS UNBOUNDED PRECEDING) - q.page_bytes AS page_bytes_before
              FROM (SELECT i.*, %2$s AS page_bytes FROM (%3$s) i) q
            ) w WHERE w.page_bytes_before < :pageBudget ORDER BY %1$s""";
    // the last ORDER BY: a list of any status has one in each branch of its UNION as well
    /**
     * A column's size: a small value stored uncompressed by its stored size, which costs nothing; any other (stored
     * compressed, perhaps far below its text, or large) by its text's UTF-8 length, which renders it. Rendering every
     * value as text to measure it cost a list page of 50 ordinary agents about 0.25 ms more (bin/bench query).
     */
    static final String SIZE = "CASE WHEN pg_column_compression(%1$s) IS NULL AND pg_column_size(%1$s) < 2048 "
            + "THEN coalesce(pg_column_size(%1$s), 0) ELSE octet_length(%1$s::text) END";
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
        String bytes = String.join(" + ", bulkColumns.stream().map(c -> SIZE.formatted("i." + c)).toList());
        return BUDGETED.formatted(m.group(1).strip(), bytes, pageSql);
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
