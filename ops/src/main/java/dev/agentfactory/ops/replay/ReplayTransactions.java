package dev.agentfactory.ops.replay;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.store.replica.RowApplier;
import dev.agentfactory.store.replica.StandbyApplyLock;

/**
 * Applies what the {@link WatermarkMerge} releases, one database transaction per release. The watermark orders
 * changes of different source transactions only, so a change whose parent came in its own transaction on another
 * partition can be released first, and the reference checks (on without a superuser's replica mode) refuse it.
 * Then the release is rolled back and put back, and waits until every partition has delivered a change committed
 * after it: by then all its parents are here. It goes first, alone; if the checks still refuse it, the parent is
 * not in the audit topics at all, and the replay stops rather than retry (or hold everything after it) forever.
 * <p>
 * Each transaction first takes the relay's standby apply lock ({@link StandbyApplyLock}, from the same lock key) and
 * then reads the purge floors, as the relay's standby sink does: a replay onto a standby whose sink is on (runbook
 * step 6d) is then never interleaved with a sink transaction, so a purge the sink applies during the replay stops
 * the replay's older events of that entity from the next transaction on, and a link cannot be written back between
 * the sink's unlink and its commit. The sink waits for a replay transaction meanwhile (at most its sink-timeout
 * before it retries), so transactions stay one poll's release each.
 */
final class ReplayTransactions {

    /**
     * The longest a replay transaction waits for the apply lock and, after it, for a row lock. The sink's own
     * transactions end within its sink-timeout (10 s by default), so this outwaits several of them, and a stuck
     * session fails the replay with the reason rather than hang it.
     */
    static final Duration LOCK_TIMEOUT = Duration.ofMinutes(1);

    private final Connection target;
    private final long lockKey;
    private final RowApplier rows;
    private final AuditEventApplier applier;
    private final WatermarkMerge<TopicPartition> merge;
    /** The latest commit time among refused events, which every partition must pass; null when none wait. */
    private Instant waitingFor;
    /** Row images of committed transactions; RowApplier's own count also has those of rolled-back ones. */
    private long rowImages;

    /** {@code lockKey}: the relays' lock key, which the standby apply lock is made from. */
    ReplayTransactions(Connection target, RowApplier rows, WatermarkMerge<TopicPartition> merge, long lockKey) {
        this.target = target;
        this.lockKey = lockKey;
        this.rows = rows;
        this.applier = new AuditEventApplier(target, rows);
        this.merge = merge;
    }

    /** Row images committed so far (applied or found already newer), each once however often it was tried. */
    long rowImages() {
        return rowImages;
    }

    /** After each poll; returns the events applied. */
    int applyReleased() throws Exception {
        if (waitingFor != null && !merge.allPast(waitingFor)) {
            return 0;
        }
        List<Map<String, Object>> released = merge.release();
        int applied = 0;
        if (waitingFor != null) {
            List<Map<String, Object>> waited = new ArrayList<>();
            List<Map<String, Object>> later = new ArrayList<>();
            for (Map<String, Object> e : released) {
                (WatermarkMerge.commitTime(e).isAfter(waitingFor) ? later : waited).add(e);
            }
            applied = applyFinal(waited);
            waitingFor = null;
            released = later;
        }
        try {
            return applied + apply(released);
        } catch (SQLException e) {
            if (!referenceViolation(e)) {
                throw e;
            }
            target.rollback();
            merge.requeue(released);
            waitingFor = released.stream().map(WatermarkMerge::commitTime).max(Instant::compareTo).orElseThrow();
            return applied;
        }
    }

    /** Once every partition is done: everything still buffered, with nothing left to wait for. */
    int applyRest() throws Exception {
        return applyFinal(merge.rest());
    }

    private int applyFinal(List<Map<String, Object>> events) throws Exception {
        try {
            return apply(events);
        } catch (SQLException e) {
            if (referenceViolation(e)) {
                throw new OpsException("a change refers to a row that neither the restored database nor the audit topics "
                        + "hold (was the backup taken from another database?): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Whether a foreign key or V4_3's reference check (both SQLSTATE 23503) refused the batch. */
    static boolean referenceViolation(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            for (Throwable t = s; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && "23503".equals(sql.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One transaction for the events; none at all when a poll only filled the merge's buffer. */
    private int apply(List<Map<String, Object>> events) throws Exception {
        if (events.isEmpty()) {
            return 0;
        }
        long handedBefore = rows.applied();
        StandbyApplyLock.take(target, lockKey, LOCK_TIMEOUT);
        applier.begin();
        for (Map<String, Object> e : events) {
            applier.apply(e);
        }
        applier.flush();
        target.commit();
        rowImages += rows.applied() - handedBefore;
        return events.size();
    }
}
