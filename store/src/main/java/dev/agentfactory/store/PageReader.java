package dev.agentfactory.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads one page of rows that carry JSON (entity documents, version snapshots, history entries, audit details): up to
 * {@code limit} rows, but no more JSON than a byte budget. Any such row can be as large as an entity may grow, and a
 * page of 200 read at once was held whole by the driver and then parsed: a few concurrent requests for large pages
 * could exhaust a gateway instance's heap. The rows come a few at a time from a server-side cursor (pgjdbc fetches
 * by cursor only inside a transaction), the page ends after the row that reaches the budget, never empty, and its
 * cursor continues where it stopped, so a client pages through everything as before, in smaller pages.
 */
public final class PageReader {

    /** Rows per round trip: a list page of 50 takes four, and at most this many rows are buffered at once. */
    static final int FETCH_ROWS = 16;
    /** The default budget ({@code factory.store-page-budget}): thousands of ordinary rows, a few of the largest. */
    public static final long DEFAULT_BUDGET_BYTES = 4L * 1024 * 1024;

    private final TransactionTemplate readOnly;
    private final TransientRetry retry;
    private final long budgetBytes;

    public PageReader(PlatformTransactionManager transactions, TransientRetry retry, long budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("the page budget must be positive, was " + budgetBytes);
        }
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.retry = retry;
        this.budgetBytes = budgetBytes;
    }

    /**
     * The page of {@code spec} (a statement bound to fetch {@code limit + 1} rows, the extra one only saying that
     * another page exists), counting the characters of {@code bulkColumns} (those that can be large: JSON
     * documents, a PRD's body) against the budget.
     */
    public <T> Page<T> read(JdbcClient.StatementSpec spec, int limit, RowMapper<T> mapper, List<String> bulkColumns,
                            Function<T, String> cursorOf) {
        return retry.run(() -> readOnly.execute(status -> spec.withFetchSize(FETCH_ROWS).query((ResultSet rs) -> {
            List<T> rows = new ArrayList<>();
            long bytes = 0;
            while (rs.next()) {
                if (rows.size() == limit || bytes >= budgetBytes) {
                    return new Page<>(rows, cursorOf.apply(rows.get(rows.size() - 1)));
                }
                bytes += bulkLength(rs, bulkColumns);
                rows.add(mapper.mapRow(rs, rows.size()));
            }
            return new Page<>(rows, null);
        })));
    }

    private static long bulkLength(ResultSet rs, List<String> columns) throws SQLException {
        long length = 0;
        for (String column : columns) {
            String json = rs.getString(column);
            length += json == null ? 0 : json.length();
        }
        return length;
    }
}
