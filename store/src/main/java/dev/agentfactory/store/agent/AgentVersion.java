package dev.agentfactory.store.agent;

import java.time.Instant;
import java.util.UUID;

/** One row of {@code factory.agent_versions}: the full snapshot of an agent at a version. */
public record AgentVersion(UUID agentId, long version, String changeType, Agent snapshot, String actor,
                           UUID eventId, Instant committedAt) {
}
