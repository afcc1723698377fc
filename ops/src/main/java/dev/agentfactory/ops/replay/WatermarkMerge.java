package dev.agentfactory.ops.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the audit partitions into one order in which every change comes after the changes it depends on, so
 * replay needs no replica mode (no superuser). Each partition is in commit order; events are released in
 * {@code lsn} order (the change's WAL position), and only up to the watermark: the lowest of the highest lsn
 * seen on each partition still open.
 *
 * <p>Why that is enough: if change D depends on X from an earlier transaction, X's transaction committed before
 * D was written, so lsn(D) &gt; commitLsn(X's tx) &gt; lsn(X). A partition that has delivered anything with
 * lsn &ge; lsn(D) has delivered a transaction committing after X's (nothing committing earlier can carry an lsn
 * above X's commit), hence, in commit order, already X if X is on that partition. So once lsn(D) is at or below
 * the watermark, every X it depends on is buffered (with a lower lsn, released first) or applied already.
 * A partition that reached its end offset, or was closed by {@code --until}, holds nothing back.
 *
 * <p>Memory: only events above the watermark stay buffered. The consumer fetches all assigned partitions
 * together, so their highs move together and the buffer is about one poll; it grows only as far as one
 * partition's fetch runs ahead of the slowest open one.
 */
final class WatermarkMerge<P> {

    private static final Comparator<Map<String, Object>> BY_LSN =
            Comparator.comparingLong(WatermarkMerge::lsn); // stable: equal lsn (one COPY) keeps arrival order

    private final Map<P, Long> highs = new HashMap<>();
    private final Map<P, Instant> lastCommits = new HashMap<>();
    private List<Map<String, Object>> buffer = new ArrayList<>();

    /** {@code open}: the partitions that still have events to deliver; each holds the watermark until it has. */
    WatermarkMerge(Collection<P> open) {
        open.forEach(p -> highs.put(p, Long.MIN_VALUE));
    }

    void add(P partition, Map<String, Object> event) {
        buffer.add(event);
        highs.computeIfPresent(partition, (p, high) -> Math.max(high, lsn(event)));
        lastCommits.put(partition, commitTime(event));
    }

    /**
     * Whether every open partition has delivered a change committed after {@code time}: each is in commit order,
     * so all changes committed up to then (the parents of anything committed then) are buffered or applied.
     */
    boolean allPast(Instant time) {
        return highs.keySet().stream().allMatch(p -> lastCommits.containsKey(p) && lastCommits.get(p).isAfter(time));
    }

    /** The partition delivers no more events (end offset reached, or the rest is after {@code --until}). */
    void close(P partition) {
        highs.remove(partition);
    }

    /** Takes the buffered events at or below the watermark, in lsn order; empty while a partition holds back. */
    List<Map<String, Object>> release() {
        long watermark = highs.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
        List<Map<String, Object>> ready = new ArrayList<>();
        List<Map<String, Object>> held = new ArrayList<>();
        for (Map<String, Object> e : buffer) {
            (lsn(e) <= watermark ? ready : held).add(e);
        }
        buffer = held;
        ready.sort(BY_LSN);
        return ready;
    }

    /**
     * Puts released events back, to be released again with what arrives next. For a change whose parent came in
     * the same source transaction on another partition: the watermark orders changes of different transactions
     * only (see the class comment), so that parent may still be on its way when the change is released.
     */
    void requeue(List<Map<String, Object>> events) {
        List<Map<String, Object>> all = new ArrayList<>(events);
        all.addAll(buffer);
        buffer = all;
    }

    /** Takes everything still buffered, in lsn order (every partition is closed). */
    List<Map<String, Object>> rest() {
        highs.clear();
        return release();
    }

    static Instant commitTime(Map<String, Object> event) {
        return Instant.parse((String) event.get("commitTime"));
    }

    private static long lsn(Map<String, Object> event) {
        return ((Number) event.get("lsn")).longValue();
    }
}
