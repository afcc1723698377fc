package dev.agentfactory.store.agent;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An agent as stored: the current row of {@code factory.agents}. It is also the read model the CDC
 * relay caches in Redis and the gateway serves, so its JSON form is the API's agent representation.
 * JSON objects ({@code config}, {@code state}, {@code metadata}) are plain maps to keep the domain free
 * of any JSON library.
 */
public record Agent(
        UUID id,
        String slug,
        String name,
        String kind,
        AgentStatus status,
        Map<String, Object> config,
        Map<String, Object> state,
        Map<String, Object> metadata,
        long version,
        Instant createdAt,
        String createdBy,
        Instant updatedAt,
        String updatedBy,
        Instant deletedAt) {

    public boolean deleted() {
        return deletedAt != null;
    }
}
