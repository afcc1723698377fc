package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.store.replica.ColumnCatalog;
import dev.agentfactory.store.replica.ReplicaApply;
import dev.agentfactory.store.replica.RowApplier;
import dev.agentfactory.store.replica.TableSpec;
import tools.jackson.databind.json.JsonMapper;

/**
 * Applies changes to the standby database in one standby transaction per call, through the same
 * {@link RowApplier} that {@code ops} restores and replays with: entity rows are version-guarded, a PRD's links
 * by the newest version of the PRD their delivery writes, rows that never change once written are inserted only when
 * absent, the rest are upserted or deleted by key, so a redelivered change is a no-op and an older one never
 * overwrites a newer row. Changes from before an operator's purge of their entity are skipped ({@link PurgeFloors}).
 * A snapshot's agent or PRD row first removes a standby entity holding its slug under another id, purged on the
 * primary while the slot was lost ({@link SnapshotSlugHolders}).
 * Each transaction holds an advisory lock made from the relays' lock key, so a late call of a relay that lost its
 * leader lock is applied wholly before or after its successor's, never interleaved with it.
 */
public class StandbySink implements Sink, AutoCloseable {

    /** Tables whose rows others reference: a delete of one of their rows is applied after its children's. */
    private static final Set<String> REFERENCED = Set.of(TableSpec.AGENTS.name(), TableSpec.PRDS.name());
    /** Parents before children, as {@link TableSpec#FACTORY} lists them. */
    private static final Map<String, Integer> APPLY_ORDER = TableSpec.FACTORY.stream()
            .collect(Collectors.toUnmodifiableMap(TableSpec::name, TableSpec.FACTORY::indexOf));

    private static final Logger log = LoggerFactory.getLogger(StandbySink.class);

    private final DataSource standby;
    private final JsonMapper json;
    private final long lockKey;
    private final Duration lockTimeout;
    private final NotThePrimary notThePrimary;
    private final ColumnCatalog catalog = new ColumnCatalog();

    /**
     * @param lockKey     the relays' leader lock key, from which each standby transaction's apply lock is made, and
     *                    by which a standby that is the relay's own primary is recognized
     * @param lockTimeout the longest a standby transaction waits for a lock (the sink call's limit)
     */
    public StandbySink(DataSource standby, JsonMapper json, long lockKey, Duration lockTimeout) {
        this.standby = standby;
        this.json = json;
        this.lockKey = lockKey;
        this.lockTimeout = lockTimeout;
        this.notThePrimary = new NotThePrimary(lockKey);
    }

    @Override
    public String name() {
        return "standby";
    }

    @Override
    public void apply(List<RowChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        List<RowChange> ordered = applyOrder(changes);
        try (Connection c = standby.getConnection()) {
            notThePrimary.check(c);
            c.setAutoCommit(false);
            try {
                ReplicaApply.mark(c); // a snapshot's PRD may be versions past the standby's (V4_6)
                PurgeFloors floors = PurgeFloors.read(c, lockKey, lockTimeout, changes);
                // a snapshot after a lost slot carries no purges: free the slugs its rows take first
                SnapshotSlugHolders.free(c, changes);
                RowApplier rows = new RowApplier(c, json, catalog);
                Map<String, Long> prdVersions = prdVersions(changes);
                TableRuns runs = new TableRuns();
                int skipped = 0;
                for (RowChange change : ordered) {
                    if (floors.precedesPurge(change)) {
                        skipped++;
                        continue;
                    }
                    if (runs.mustFlushBefore(change.table())) {
                        rows.flush();
                        runs.flushed();
                    }
                    apply(rows, change, prdVersions);
                    runs.wrote(change.table());
                }
                rows.flush();
                PurgeFloors.record(c, changes);
                c.commit();
                if (skipped > 0) {
                    log.warn("standby: skipped {} of {} changes from before a purge of their entity", skipped,
                            changes.size());
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                catalog.clear(); // the standby's schema may have changed: read the catalog again on retry
                throw e;
            }
        }
    }

    private static void apply(RowApplier rows, RowChange change, Map<String, Long> prdVersions)
            throws SQLException {
        TableSpec table = TableSpec.named(change.table());
        Long prdVersion = table == TableSpec.PRD_AGENTS ? prdVersions.get(String.valueOf(change.row().get("prd_id")))
                : null;
        if (prdVersion != null) {
            if (change.isDelete()) {
                rows.deleteUnlessParentNewer(table, change.row(), TableSpec.PRDS, "prd_id", prdVersion);
            } else {
                rows.upsertUnlessParentNewer(table, change.row(), TableSpec.PRDS, "prd_id", prdVersion);
            }
        } else if (change.isDelete()) {
            rows.delete(table, change.row()); // the before-image: the key, and the version of a versioned row
        } else if (table.appendOnly()) {
            rows.insertIfAbsent(table, change.row());
        } else {
            rows.upsert(table, change.row());
        }
    }

    /**
     * Parents first, then one run per table: a handful of JDBC batches per call instead of a round trip per
     * table switch (and a snapshot's children may be read before their parents). The sort is stable, so each
     * row's changes keep their commit order. A delete of a referenced row (an operator's purge of an agent or
     * PRD; the worker never issues one) ends a segment: the changes before it are sorted on their own and the
     * delete follows them, after the deletes of its children, as it did on the primary. Sorted with the rest it
     * would go first, and the standby's foreign keys and reference triggers would refuse it on every retry. The
     * rows then go out in this order: the applier is flushed where a table's rows come back ({@link TableRuns}).
     */
    static List<RowChange> applyOrder(List<RowChange> changes) {
        List<RowChange> ordered = new ArrayList<>(changes.size());
        int from = 0;
        for (int i = 0; i < changes.size(); i++) {
            RowChange c = changes.get(i);
            if (isPurge(c)) {
                ordered.addAll(parentsFirst(changes.subList(from, i)));
                ordered.add(c);
                from = i + 1;
            }
        }
        ordered.addAll(parentsFirst(changes.subList(from, changes.size())));
        return ordered;
    }

    /** A delete of an agent or PRD row: an operator's purge (the worker never issues one). */
    static boolean isPurge(RowChange change) {
        return change.isDelete() && REFERENCED.contains(change.table());
    }

    /**
     * The newest version each PRD reaches in this delivery. A link or unlink is a version of its PRD, written with
     * the PRD's row in one transaction; a delivery's link changes apply in commit order among themselves, but after
     * all of its PRD rows (parents first), so each is guarded by the delivery's newest version of its PRD, not its
     * own: they apply only while the standby's PRD is not newer than the whole delivery. A delivery applied late (by
     * a relay that lost its lock while a sink call was under way, or a timed-out attempt that still committed) then
     * cannot undo a newer link. Link changes of a PRD whose row the delivery does not hold (a snapshot, an
     * operator's purge) or deletes apply by key.
     */
    private static Map<String, Long> prdVersions(List<RowChange> changes) {
        Map<String, Long> versions = new HashMap<>();
        List<String> purged = new ArrayList<>();
        for (RowChange c : changes) {
            if (c.table().equals(TableSpec.PRDS.name())) {
                String id = String.valueOf(c.row().get("id"));
                if (c.isDelete()) {
                    purged.add(id);
                } else {
                    versions.merge(id, Rows.num(c.row(), "version"), Math::max);
                }
            }
        }
        // A PRD purged in the delivery may be created again in it at version 1: the purge's unlinks, guarded by
        // that, would be skipped against the purged row still stored, and its delete refused by the links.
        purged.forEach(versions::remove);
        return versions;
    }

    private static List<RowChange> parentsFirst(List<RowChange> changes) {
        return changes.stream().sorted(Comparator.comparing(RowChange::table, Comparator.comparing(StandbySink::order)))
                .toList();
    }

    private static int order(String table) {
        Integer order = APPLY_ORDER.get(table);
        if (order == null) {
            throw new IllegalArgumentException("the standby sink does not know table factory." + table
                    + ": add it to store.replica.TableSpec.FACTORY");
        }
        return order;
    }

    @Override
    public void close() throws Exception {
        if (standby instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
