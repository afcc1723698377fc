package dev.agentfactory.ops.replay;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a RowApplier flush from sending a child row before the parent row it references. RowApplier sends one
 * batch per table, in the order the tables first appeared since its last flush; with checks on (no replica
 * mode) a batch of links or history entries sent ahead of the agents batch fails on an agent created later in
 * the same flush. So before a parent row whose table would go out after one of its children, flush.
 */
final class ParentsFirst {

    /** Parent table to the tables that reference it (foreign keys, and V4_3's statement-level checks). */
    private static final Map<String, Set<String>> CHILDREN = Map.of(
            "agents", Set.of("agent_versions", "agent_history", "prd_agents"),
            "prds", Set.of("prd_versions", "prd_agents"));

    private final boolean checked;
    /** Tables written since the last flush, in first-use order (RowApplier's send order). */
    private final Set<String> pending = new LinkedHashSet<>();

    /** {@code checked}: false in replica mode, where no reference is checked and batching is kept whole. */
    ParentsFirst(boolean checked) {
        this.checked = checked;
    }

    /** Whether the caller must flush before writing a row to {@code table}. */
    boolean mustFlushBefore(String table) {
        Set<String> children = CHILDREN.get(table);
        if (!checked || children == null) {
            return false;
        }
        for (String t : pending) {
            if (t.equals(table)) {
                return false; // the parent's batch is already ahead of its children's
            }
            if (children.contains(t)) {
                return true;
            }
        }
        return false;
    }

    void wrote(String table) {
        pending.add(table);
    }

    void flushed() {
        pending.clear();
    }
}
