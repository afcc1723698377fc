package dev.agentfactory.store;

import java.time.Instant;
import java.util.UUID;

/**
 * Who changed an entity, why and when: what a single-entity write records in the version snapshot
 * and the audit log. {@code changeType} is the snapshot's kind (create, update, state, delete, link…),
 * {@code commandType} the write command (agent.create…).
 */
public record Change(String changeType, String commandType, String actor, UUID eventId, Instant occurredAt) {

    public Change {
        if (changeType == null || commandType == null || actor == null || eventId == null || occurredAt == null) {
            throw new IllegalArgumentException("a change needs its type, command, actor, eventId and time");
        }
    }
}
