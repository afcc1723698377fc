package dev.agentfactory.worker.writes;

import java.time.Instant;
import java.util.List;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;

/**
 * Makes an entity's next version with its full snapshot, held to the entity size limit: the rules change the
 * row first, and the snapshot of the changed row is both what is measured and what is stored, so a write is
 * serialized once. A version over the limit is refused after the fact and the row put back as it was.
 */
final class VersionBump {

    private final Snapshots snapshots;
    private final EntitySizeLimit limit;

    VersionBump(Snapshots snapshots, EntitySizeLimit limit) {
        this.snapshots = snapshots;
        this.limit = limit;
    }

    /**
     * Version 1 of a new entity, made by e's actor at e's time; {@code register} makes it known to the rest of the
     * batch (its id and slug), run only when the entity fits the limit, so a refused create leaves no trace.
     */
    Decision create(EntityRow row, String what, WriteEnvelope e, List<BatchState.VersionRow> versions,
                    Runnable register) {
        row.createdAt = e.occurredAt();
        row.createdBy = e.actor();
        Decision d = bump(row, what, e, versions, "create", () -> { });
        if (d.status() == WriteOutcome.Status.APPLIED) {
            register.run();
        }
        return d;
    }

    /**
     * @param what  "agent" or "PRD", for the reason
     * @param undo  puts back what the command changed in the row, run when the new version is refused; null for a
     *              command that only removes content (a delete, which adds its timestamp, an unlink): those are
     *              never refused, so an entity over the limit can always be shrunk or deleted
     * @return APPLIED at the new version, or REJECTED with the size and the limit
     */
    Decision bump(EntityRow row, String what, WriteEnvelope e, List<BatchState.VersionRow> versions,
                  String changeType, Runnable undo) {
        Instant updatedAt0 = row.updatedAt;
        String updatedBy0 = row.updatedBy;
        boolean dirty0 = row.dirty;
        row.version++;
        row.updatedAt = e.occurredAt();
        row.updatedBy = e.actor();
        row.dirty = true;
        String snapshot = row.snapshot(snapshots);
        String refusal = undo == null ? null : limit.refusal(what, row.id, snapshot);
        if (refusal != null) {
            row.version--;
            row.updatedAt = updatedAt0;
            row.updatedBy = updatedBy0;
            row.dirty = dirty0;
            undo.run();
            return Decision.rejected(refusal);
        }
        versions.add(new BatchState.VersionRow(row.id, row.version, changeType, snapshot, e.actor(), e.eventId()));
        return Decision.applied(row.version);
    }
}
