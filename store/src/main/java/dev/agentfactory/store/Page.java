package dev.agentfactory.store;

import java.util.List;

/**
 * One page of a keyset-paginated list: the items and the opaque cursor of the next page (null on the
 * last page). Cursors are positions, not offsets, so a page costs the same at any depth and rows
 * written meanwhile never shift what the next page returns.
 *
 * <p>A sequence of pages is not a change feed: the keys (an audit entry's {@code (committed_at, id)}, an
 * entity's {@code (updated_at, id)}) are fixed before the writing transaction commits, so a row that commits
 * after a page was read can sort before its cursor and is never returned by the pages that follow. Changes in
 * commit order come from the CDC relay's audit topics.
 */
public record Page<T>(List<T> items, String nextCursor) {

    public Page {
        items = List.copyOf(items);
    }

    /** Largest page any list may ask for; a caller's own maximum (the gateway's max-page-size) must not exceed it. */
    public static final int MAX_LIMIT = 500;

    /** Guards every page size, for both implementations. */
    public static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        return limit;
    }

    public boolean hasMore() {
        return nextCursor != null;
    }

    /** The page from {@code limit + 1} fetched rows: the extra row only says that another page exists. */
    public static <T> Page<T> of(List<T> fetched, int limit, java.util.function.Function<T, String> cursorOf) {
        if (fetched.size() <= limit) {
            return new Page<>(fetched, null);
        }
        List<T> items = fetched.subList(0, limit);
        return new Page<>(items, cursorOf.apply(items.get(limit - 1)));
    }
}
