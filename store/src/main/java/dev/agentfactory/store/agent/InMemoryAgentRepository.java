package dev.agentfactory.store.agent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.agentfactory.store.Change;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.ListFilter;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.WriteResult;
import dev.agentfactory.store.audit.AuditRepository;

/**
 * {@link AgentRepository} in memory, for code written against the old in-memory dictionaries
 * ({@code factory.store=memory}). Same answers as the JDBC implementation (the contract suite runs
 * against both); not durable. One monitor guards everything: this is a compatibility layer, not a
 * database.
 */
public final class InMemoryAgentRepository implements AgentRepository {

    private static final Comparator<Agent> NEWEST_FIRST =
            Comparator.comparing(Agent::updatedAt).thenComparing(Agent::id, Cursor.PG_UUID_ORDER)
                    .reversed();

    private final Object lock;
    private final AuditRepository audit;
    private final Map<UUID, Agent> agents = new HashMap<>();
    private final Map<UUID, List<AgentVersion>> versions = new HashMap<>();
    private final List<HistoryEntry> history = new ArrayList<>();

    /** {@code lock} is shared with the other in-memory repositories so a write and its audit entry are atomic. */
    public InMemoryAgentRepository(Object lock, AuditRepository audit) {
        this.lock = lock;
        this.audit = audit;
    }

    @Override
    public Optional<Agent> findById(UUID id) {
        synchronized (lock) {
            return Optional.ofNullable(agents.get(id));
        }
    }

    @Override
    public Optional<Agent> findBySlug(String slug) {
        synchronized (lock) {
            return agents.values().stream().filter(a -> a.slug().equals(slug)).findFirst();
        }
    }

    @Override
    public Page<Agent> list(AgentStatus status, String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        Agent bound = after == null ? null : probe(after);
        synchronized (lock) {
            List<Agent> rows = agents.values().stream().filter(a -> !a.deleted())
                    .filter(a -> status == null || a.status() == status)
                    .filter(a -> bound == null || NEWEST_FIRST.compare(a, bound) > 0)
                    .sorted(NEWEST_FIRST).limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, a -> Cursor.encode(a.updatedAt(), a.id()));
        }
    }

    @Override
    public Page<Agent> list(AgentStatus status, ListFilter filter, String cursor, int limit) {
        Comparator<Agent> order = filter.ascending() ? NEWEST_FIRST.reversed() : NEWEST_FIRST;
        Cursor after = Cursor.decode(cursor);
        Agent bound = after == null ? null : probe(after);
        synchronized (lock) {
            List<Agent> rows = agents.values().stream().filter(a -> !a.deleted())
                    .filter(a -> status == null || a.status() == status)
                    .filter(a -> filter.admits(a.updatedAt()) && filter.matches(a.name()))
                    .filter(a -> bound == null || order.compare(a, bound) > 0)
                    .sorted(order).limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, a -> Cursor.encode(a.updatedAt(), a.id()));
        }
    }

    @Override
    public Page<AgentVersion> versions(UUID agentId, String cursor, int limit) {
        Cursor before = Cursor.decode(cursor);
        synchronized (lock) {
            List<AgentVersion> rows = versions.getOrDefault(agentId, List.of()).stream()
                    .filter(v -> before == null || v.version() < before.number())
                    .sorted(Comparator.comparingLong(AgentVersion::version).reversed())
                    .limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, v -> Cursor.encode(v.committedAt(), v.version()));
        }
    }

    @Override
    public Optional<AgentVersion> version(UUID agentId, long version) {
        synchronized (lock) {
            return versions.getOrDefault(agentId, List.of()).stream().filter(v -> v.version() == version).findFirst();
        }
    }

    @Override
    public Page<HistoryEntry> history(UUID agentId, long afterSeq, int limit) {
        synchronized (lock) {
            List<HistoryEntry> rows = history.stream().filter(h -> h.agentId().equals(agentId) && h.seq() > afterSeq)
                    .limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, h -> Long.toString(h.seq()));
        }
    }

    @Override
    public WriteResult<Agent> create(Agent agent, Change change) {
        if (agent.version() != 1) {
            throw new IllegalArgumentException("a created agent is at version 1, not " + agent.version());
        }
        return write(AgentRules.normalized(agent), change, true);
    }

    @Override
    public WriteResult<Agent> update(Agent next, Change change) {
        return write(AgentRules.normalized(next), change, false);
    }

    private WriteResult<Agent> write(Agent row, Change change, boolean create) {
        var invalid = AgentRules.violation(row);
        if (invalid.isPresent()) {
            return new WriteResult.Rejected<>(invalid.get());
        }
        synchronized (lock) {
            Agent current = agents.get(row.id());
            if (create ? current != null
                    : current == null || current.deleted() || current.version() != row.version() - 1) {
                return current == null ? new WriteResult.NotFound<>("agent " + row.id())
                        : WriteResult.versionClash(row.version(), current.version(), current.deleted());
            }
            Optional<Agent> slugOwner = findBySlug(row.slug());
            if (slugOwner.isPresent() && !slugOwner.get().id().equals(row.id())) {
                return new WriteResult.Rejected<>("slug '" + row.slug() + "' is taken by another agent");
            }
            agents.put(row.id(), row);
            versions.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(new AgentVersion(row.id(), row.version(),
                    change.changeType(), row, change.actor(), change.eventId(), StoreJson.micros(Instant.now())));
            audit.append(AgentRules.audit(row.id(), row.version(), change));
            return new WriteResult.Applied<>(row);
        }
    }

    @Override
    public WriteResult<HistoryEntry> appendHistory(UUID agentId, HistoryEntry.Kind kind, Map<String, Object> entry,
                                                   Instant recordedAt, Change change) {
        synchronized (lock) {
            if (!agents.containsKey(agentId)) {
                return new WriteResult.NotFound<>("agent " + agentId);
            }
            HistoryEntry h = new HistoryEntry(history.size() + 1L, agentId, kind, entry, StoreJson.micros(recordedAt),
                    change.actor(), change.eventId());
            history.add(h);
            audit.append(AgentRules.audit(agentId, null, change));
            return new WriteResult.Applied<>(h);
        }
    }

    private static Agent probe(Cursor c) {
        return new Agent(c.uuid(), "", "", "", AgentStatus.ACTIVE, Map.of(), Map.of(), Map.of(), 1, c.at(), "", c.at(),
                "", null);
    }
}
