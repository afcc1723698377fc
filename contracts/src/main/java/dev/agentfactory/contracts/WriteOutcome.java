package dev.agentfactory.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What became of one write, published on {@code factory.write-results.v1} (key = eventId) after the
 * worker's commit and answered by the gateway's {@code GET /writes/{eventId}}.
 *
 * @param version         APPLIED: the entity's version after the write; CONFLICT: its current version
 * @param originalOutcome DUPLICATE only: the outcome of the first delivery
 * @param reason          REJECTED and CONFLICT: why
 */
public record WriteOutcome(UUID eventId, String entityType, UUID entityId, String type, Status status, Long version,
                           Status originalOutcome, String reason, Instant processedAt) {

    /** The outcome classes of the contract. */
    public enum Status {
        APPLIED, DUPLICATE, CONFLICT, REJECTED
    }

    public WriteOutcome {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(status, "status");
    }
}
