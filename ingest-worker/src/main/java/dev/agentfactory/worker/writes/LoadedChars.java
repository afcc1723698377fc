package dev.agentfactory.worker.writes;

/**
 * The characters of JSON and text a batch loads from its entity rows, held to {@code max-batch-chars} together with
 * what it stages ({@link BatchHandler}). Counted as each row is read, so a poll whose rows alone are over the budget
 * stops loading there ({@link BatchTooLarge}) instead of holding them all: 2,000 appends to 2,000 agents of about
 * 1 MB of state each loaded about 2 GB and the worker, out of heap, died on the same poll at every restart. One event
 * alone is never refused, as it loads at most one entity's limit.
 */
final class LoadedChars {

    private final long limit;
    private final int events;
    private long chars;

    LoadedChars(long limit, int events) {
        this.limit = limit;
        this.events = events;
    }

    /** No budget: for loads outside a batch (tests that lock rows as a batch does). */
    static LoadedChars unbounded() {
        return new LoadedChars(Long.MAX_VALUE, 1);
    }

    void add(String column) {
        if (column == null) {
            return;
        }
        chars += column.length();
        if (events > 1 && chars > limit) {
            throw new BatchTooLarge(chars, events, limit);
        }
    }

    long chars() {
        return chars;
    }
}
