package dev.agentfactory.relay.sink;

import java.util.HashSet;
import java.util.Set;

/**
 * Tells the standby sink where to flush its {@code RowApplier} so that rows go out in the order the sink hands them.
 * The applier batches per statement and sends its batches in the order their tables first appeared since its last
 * flush: a row of a table that comes back after another table joins that table's first batch, ahead of the tables
 * in between. The sink's order has one run per table except across a purge, where a delivery is split ({@link
 * StandbySink#applyOrder}): a purge's delete of an agent would join an earlier purge's, ahead of its own links'
 * deletes, and a history entry of an agent created after a purge would join an earlier entry, ahead of its agent.
 * Either is refused on every retry. Flushing before a table's second run keeps the sink's order exact in general;
 * a delivery with one run per table is never split.
 */
final class TableRuns {

    /** Tables written since the last flush. */
    private final Set<String> written = new HashSet<>();
    private String last;

    /** Whether the applier must flush before a row of {@code table}: an earlier run of it ended since the flush. */
    boolean mustFlushBefore(String table) {
        return !table.equals(last) && written.contains(table);
    }

    void wrote(String table) {
        written.add(table);
        last = table;
    }

    void flushed() {
        written.clear();
        last = null;
    }
}
