package dev.agentfactory.store.audit;

import java.time.Instant;
import java.util.UUID;

import dev.agentfactory.store.Page;

/** The audit log: appended with every applied write, queried by entity, by actor, or by time. */
public interface AuditRepository {

    /** Appends an entry ({@code id} and {@code committedAt} are assigned); returns it as stored. */
    AuditEntry append(AuditEntry entry);

    /** One entity's entries committed in {@code [from, to)}, oldest first. */
    Page<AuditEntry> byEntity(String entityType, UUID entityId, Instant from, Instant to, String cursor, int limit);

    /** One actor's entries committed in {@code [from, to)}, oldest first. */
    Page<AuditEntry> byActor(String actor, Instant from, Instant to, String cursor, int limit);

    /** Every entry committed in {@code [from, to)}, oldest first. */
    Page<AuditEntry> byTime(Instant from, Instant to, String cursor, int limit);
}
