package dev.agentfactory.relay.sink;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One record of {@code factory.audit.agents.v1} / {@code factory.audit.prds.v1}, keyed by {@code id}.
 * The contract analytics consumers read; documented in cdc-relay/README.md. Redelivery after a relay
 * crash can repeat an event: consumers deduplicate on (table, lsn, op, id, version) plus, where {@code id} is the
 * parent's, the row's own key ({@code after.seq} of a history entry, the {@code agent_id} of a link).
 */
public record AuditEvent(
        String schema,
        String op,
        String entity,
        UUID id,
        Long version,
        String table,
        Map<String, Object> before,
        Map<String, Object> after,
        String actor,
        UUID eventId,
        Long txId,
        long lsn,
        Instant commitTime) {

    public static final String SCHEMA = "factory.audit.v1";
}
