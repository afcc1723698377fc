package dev.agentfactory.store.audit;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** One applied write as the audit log records it ({@code factory.audit_log}). */
public record AuditEntry(long id, String entityType, UUID entityId, Long version, String commandType, String actor,
                         UUID eventId, Instant occurredAt, Instant committedAt, Map<String, Object> details) {
}
