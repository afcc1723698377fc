package dev.agentfactory.worker.writes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.contracts.WriteOutcome;

/**
 * What one transaction knows and will write: the locked rows of the entities the batch touches, the
 * events already processed, the taken slugs, and the rows staged for the set-wise inserts.
 */
final class BatchState {

    /** A processed event as {@code processed_events} (or an earlier event of this batch) records it. */
    record Prior(WriteOutcome.Status status, Long version, String reason) {
    }

    record VersionRow(UUID entityId, long version, String changeType, String snapshot, String actor, UUID eventId) {
    }

    record HistoryRow(UUID agentId, String kind, String entry, Instant recordedAt, String actor, UUID eventId) {
    }

    record AuditRow(String entityType, UUID entityId, Long version, String commandType, String actor, UUID eventId,
                    Instant occurredAt, String details) {
    }

    record ProcessedRow(UUID eventId, String entityType, UUID entityId, String commandType, String outcome,
                        Long version, String reason) {
    }

    /** Agents that are the subject of a write, locked FOR NO KEY UPDATE; a missing key means "does not exist". */
    final Map<UUID, AgentRow> agents = new HashMap<>();
    /** Agents only referenced by links (not locked); existence and deletion is all that matters. */
    final Map<UUID, AgentRow> referencedAgents = new HashMap<>();
    final Map<UUID, PrdRow> prds = new HashMap<>();
    final Map<String, UUID> agentSlugs = new HashMap<>();
    final Map<String, UUID> prdSlugs = new HashMap<>();
    final Map<UUID, Prior> processed = new HashMap<>();

    final List<VersionRow> agentVersions = new ArrayList<>();
    final List<VersionRow> prdVersions = new ArrayList<>();
    final List<HistoryRow> history = new ArrayList<>();
    final List<AuditRow> audit = new ArrayList<>();
    final List<ProcessedRow> processedRows = new ArrayList<>();

    /** An agent a link may point to: one written in this batch first, else one loaded as a reference. */
    AgentRow linkableAgent(UUID id) {
        AgentRow row = agents.get(id);
        return row != null ? row : referencedAgents.get(id);
    }
}
