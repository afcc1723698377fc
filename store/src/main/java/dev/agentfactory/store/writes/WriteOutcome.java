package dev.agentfactory.store.writes;

import java.time.Instant;
import java.util.UUID;

/**
 * What became of one write event ({@code factory.processed_events}): what {@code GET /writes/{eventId}}
 * answers. {@code outcome} is APPLIED, CONFLICT or REJECTED; a duplicate is answered with the original.
 */
public record WriteOutcome(UUID eventId, String entityType, UUID entityId, String commandType, String outcome,
                           Long version, String reason, Instant processedAt) {
}
