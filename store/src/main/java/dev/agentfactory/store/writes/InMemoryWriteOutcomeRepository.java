package dev.agentfactory.store.writes;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.store.StoreJson;

/** {@link WriteOutcomeRepository} in memory. */
public final class InMemoryWriteOutcomeRepository implements WriteOutcomeRepository {

    private final Map<UUID, WriteOutcome> outcomes = new ConcurrentHashMap<>();

    @Override
    public Optional<WriteOutcome> find(UUID eventId) {
        return Optional.ofNullable(outcomes.get(eventId));
    }

    @Override
    public boolean record(WriteOutcome o) {
        WriteOutcome stored = new WriteOutcome(o.eventId(), o.entityType(), o.entityId(), o.type(),
                JdbcWriteOutcomeRepository.stored(o), o.version(), null, o.reason(), StoreJson.micros(Instant.now()));
        return outcomes.putIfAbsent(o.eventId(), stored) == null;
    }
}
