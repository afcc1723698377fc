package dev.agentfactory.worker.writes;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;

/**
 * Decides one event's outcome inside the batch: a duplicate eventId answers with the first outcome and
 * changes nothing; otherwise the entity's rules run and the dedup and audit rows are staged.
 */
final class EventApplier {

    private final Snapshots snapshots = new Snapshots();
    private final AgentRules agentRules;
    private final PrdRules prdRules;

    /** @param maxEntityBytes the largest version snapshot a write may leave an entity with */
    EventApplier(int maxEntityBytes) {
        EntitySizeLimit limit = new EntitySizeLimit(maxEntityBytes);
        VersionBump versions = new VersionBump(snapshots, limit);
        agentRules = new AgentRules(snapshots, limit, versions);
        prdRules = new PrdRules(versions);
    }

    WriteOutcome apply(WriteEnvelope event, BatchState s, Instant now) {
        BatchState.Prior prior = s.processed.get(event.eventId());
        if (prior != null) {
            return duplicate(event, prior, now);
        }
        WriteEnvelope e = atMicroseconds(event);
        Decision d = switch (e.type().entityType()) {
            case AGENT -> agentRules.apply(e, s);
            case PRD -> prdRules.apply(e, s);
        };
        return record(e, d, s, now);
    }

    /**
     * occurredAt as timestamptz keeps it: PostgreSQL rounds an instant to microseconds, and the version snapshot,
     * written as text, must carry the same created_at / updated_at / deleted_at as the row.
     */
    private static WriteEnvelope atMicroseconds(WriteEnvelope e) {
        Instant t = e.occurredAt();
        return t.getNano() % 1_000 == 0 ? e : new WriteEnvelope(e.eventId(), e.entityId(), e.expectedVersion(),
                e.actor(), t.truncatedTo(ChronoUnit.MICROS), e.schemaVersion(), e.command());
    }

    /**
     * The outcome of an event committed by an earlier delivery of the same record (the worker died between
     * the commit and publishing its outcomes): the stored outcome again, not a DUPLICATE; but a DUPLICATE of it
     * for a later record of the same eventId in that delivery ({@code duplicate}), as the first delivery answered.
     * The first record of an eventId in a redelivery may itself have been answered DUPLICATE (the eventId's first
     * copy was in an earlier batch, already published), but nothing stored tells that case from the one where this
     * record is the copy that applied and whose outcome was never published; the stored outcome is right for the
     * second and carries the same status and version as the DUPLICATE for the first.
     */
    static WriteOutcome restated(WriteEnvelope e, BatchState.Prior prior, boolean duplicate, Instant now) {
        return duplicate ? duplicate(e, prior, now)
                : outcome(e, prior.status(), prior.version(), null, prior.reason(), now);
    }

    /** Records an event the database itself refused (isolated by splitting the batch) as REJECTED. */
    WriteOutcome reject(WriteEnvelope e, String reason, BatchState s, Instant now) {
        BatchState.Prior prior = s.processed.get(e.eventId());
        if (prior != null) {
            return duplicate(e, prior, now);
        }
        return record(e, Decision.rejected(reason), s, now);
    }

    private WriteOutcome record(WriteEnvelope e, Decision d, BatchState s, Instant now) {
        String entityType = e.type().entityType().wireName();
        s.processed.put(e.eventId(), new BatchState.Prior(d.status(), d.version(), d.reason()));
        s.processedRows.add(new BatchState.ProcessedRow(e.eventId(), entityType, e.entityId(), e.type().wireName(),
                d.status().name(), d.version(), d.reason()));
        if (d.status() == Status.APPLIED) {
            s.audit.add(new BatchState.AuditRow(entityType, e.entityId(), d.version(), e.type().wireName(), e.actor(),
                    e.eventId(), e.occurredAt(), snapshots.json(WriteCodec.payloadOf(e.command()))));
        }
        return outcome(e, d.status(), d.version(), null, d.reason(), now);
    }

    /** The answer to an eventId already processed: DUPLICATE, with the first outcome's status and version. */
    private static WriteOutcome duplicate(WriteEnvelope e, BatchState.Prior prior, Instant now) {
        return outcome(e, Status.DUPLICATE, prior.version(), prior.status(), null, now);
    }

    private static WriteOutcome outcome(WriteEnvelope e, Status status, Long version, Status original, String reason,
                                        Instant now) {
        return new WriteOutcome(e.eventId(), e.type().entityType().wireName(), e.entityId(), e.type().wireName(),
                status, version, original, reason, now);
    }
}
