package dev.agentfactory.store.writes;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
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

    /**
     * The stored outcomes of those of {@code eventIds} that have one, in one round trip where the store allows:
     * the gateway looks up every write it still waits for at once, not one query per write.
     */
    default Map<UUID, WriteOutcome> findAll(Collection<UUID> eventIds) {
        Map<UUID, WriteOutcome> found = new HashMap<>();
        for (UUID id : eventIds) {
            find(id).ifPresent(o -> found.put(id, o));
        }
        return found;
    }

    /** Records an outcome (not DUPLICATE) unless one exists for the eventId; returns whether it was recorded. */
    boolean record(WriteOutcome outcome);
}
