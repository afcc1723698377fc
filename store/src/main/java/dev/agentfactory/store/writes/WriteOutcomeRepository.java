package dev.agentfactory.store.writes;

import java.util.Optional;
import java.util.UUID;

/** Outcomes of write events by eventId: the dedup record and the answer to "what happened to my write?". */
public interface WriteOutcomeRepository {

    Optional<WriteOutcome> find(UUID eventId);

    /** Records an outcome unless one exists for the eventId; returns whether it was recorded. */
    boolean record(WriteOutcome outcome);
}
