package dev.agentfactory.store.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.StoreJson;

/** {@link AuditRepository} in memory (see {@code InMemoryAgentRepository}). */
public final class InMemoryAuditRepository implements AuditRepository {

    private static final Comparator<AuditEntry> ORDER =
            Comparator.comparing(AuditEntry::committedAt).thenComparingLong(AuditEntry::id);

    private final Object lock;
    private final List<AuditEntry> entries = new ArrayList<>();

    public InMemoryAuditRepository(Object lock) {
        this.lock = lock;
    }

    @Override
    public AuditEntry append(AuditEntry e) {
        synchronized (lock) {
            AuditEntry stored = new AuditEntry(entries.size() + 1L, e.entityType(), e.entityId(), e.version(),
                    e.commandType(), e.actor(), e.eventId(), StoreJson.micros(e.occurredAt()),
                    StoreJson.micros(Instant.now()), e.details());
            entries.add(stored);
            return stored;
        }
    }

    @Override
    public Page<AuditEntry> byEntity(String entityType, UUID entityId, Instant from, Instant to, String cursor,
                                     int limit) {
        Cursor c = Cursor.decode(cursor);
        long after = c == null ? 0 : c.number();
        return page(e -> e.entityType().equals(entityType) && e.entityId().equals(entityId) && e.id() > after
                && !e.committedAt().isBefore(from) && e.committedAt().isBefore(to),
                Comparator.comparingLong(AuditEntry::id), limit);
    }

    @Override
    public Page<AuditEntry> byActor(String actor, Instant from, Instant to, String cursor, int limit) {
        return page(inRange(from, to, cursor).and(e -> e.actor().equals(actor)), ORDER, limit);
    }

    @Override
    public Page<AuditEntry> byTime(Instant from, Instant to, String cursor, int limit) {
        return page(inRange(from, to, cursor), ORDER, limit);
    }

    private static Predicate<AuditEntry> inRange(Instant from, Instant to, String cursor) {
        Cursor c = Cursor.decode(cursor);
        return e -> !e.committedAt().isBefore(from) && e.committedAt().isBefore(to)
                && (c == null || e.committedAt().isAfter(c.at()) || e.committedAt().equals(c.at()) && e.id() > c.number());
    }

    private Page<AuditEntry> page(Predicate<AuditEntry> filter, Comparator<AuditEntry> order, int limit) {
        synchronized (lock) {
            List<AuditEntry> rows = entries.stream().filter(filter).sorted(order)
                    .limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, JdbcAuditRepository::cursor);
        }
    }
}
