package dev.agentfactory.store.writes;

import java.util.Optional;
import java.util.UUID;

import dev.agentfactory.contracts.WriteOutcome;

/**
 * Outcomes of write events by eventId ({@code factory.processed_events}): the dedup record and the answer to
 * "what happened to my write?", as the same record the worker publishes on the results topic. A stored
 * outcome is APPLIED, CONFLICT or REJECTED; a duplicate delivery is answered with the original.
 */
public interface WriteOutcomeRepository {

    Optional<WriteOutcome> find(UUID eventId);

    /** Records an outcome (not DUPLICATE) unless one exists for the eventId; returns whether it was recorded. */
    boolean record(WriteOutcome outcome);
}
