package dev.agentfactory.ops.replay;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.store.replica.ReplicaSession;
import dev.agentfactory.store.replica.RowApplier;

/**
 * Applies what the {@link WatermarkMerge} releases, one database transaction per release. The watermark orders
 * changes of different source transactions only, so a change whose parent came in its own transaction on another
 * partition can be released first, and the reference checks (on without a superuser's replica mode) refuse it.
 * Then the release is rolled back and put back, and waits until every partition has delivered a change committed
 * after it: by then all its parents are here. It goes first, alone; if the checks still refuse it, the parent is
 * not in the audit topics at all, and the replay stops rather than retry (or hold everything after it) forever.
 */
final class ReplayTransactions {

    private final Connection target;
    private final RowApplier rows;
    private final AuditEventApplier applier;
    private final WatermarkMerge<TopicPartition> merge;
    /** The latest commit time among refused events, which every partition must pass; null when none wait. */
    private Instant waitingFor;
    /** Row images of committed transactions; RowApplier's own count also has those of rolled-back ones. */
    private long rowImages;

    ReplayTransactions(Connection target, RowApplier rows, WatermarkMerge<TopicPartition> merge) throws SQLException {
        this.target = target;
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
        applier.replicaMode(ReplicaSession.enter(target));
        for (Map<String, Object> e : events) {
            applier.apply(e);
        }
        applier.flush();
        target.commit();
        rowImages += rows.applied() - handedBefore;
        return events.size();
    }
}
