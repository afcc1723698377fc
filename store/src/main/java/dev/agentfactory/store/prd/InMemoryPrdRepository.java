package dev.agentfactory.store.prd;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import dev.agentfactory.store.Change;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.ListFilter;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.WriteResult;
import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.audit.AuditRepository;

/** {@link PrdRepository} in memory (see {@code InMemoryAgentRepository}); links check agents through it. */
public final class InMemoryPrdRepository implements PrdRepository {

    private static final Comparator<Prd> NEWEST_FIRST = Comparator.comparing(Prd::updatedAt)
            .thenComparing(Prd::id, Cursor.PG_UUID_ORDER).reversed();

    private final Object lock;
    private final AuditRepository audit;
    private final AgentRepository agents;
    private final Map<UUID, Prd> prds = new HashMap<>();
    private final Map<UUID, List<PrdVersion>> versions = new HashMap<>();
    private final List<PrdAgentLink> links = new ArrayList<>();

    public InMemoryPrdRepository(Object lock, AuditRepository audit, AgentRepository agents) {
        this.lock = lock;
        this.audit = audit;
        this.agents = agents;
    }

    @Override
    public Optional<Prd> findById(UUID id) {
        synchronized (lock) {
            return Optional.ofNullable(prds.get(id));
        }
    }

    @Override
    public Optional<Prd> findBySlug(String slug) {
        synchronized (lock) {
            return prds.values().stream().filter(p -> p.slug().equals(slug)).findFirst();
        }
    }

    @Override
    public Page<Prd> list(PrdStatus status, String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        Predicate<Prd> afterCursor = after == null ? p -> true : p -> NEWEST_FIRST.compare(p, new Prd(after.uuid(), "",
                "", "", PrdStatus.DRAFT, Map.of(), null, 1, after.at(), "", after.at(), "", null)) > 0;
        synchronized (lock) {
            List<Prd> rows = prds.values().stream().filter(p -> !p.deleted())
                    .filter(p -> status == null || p.status() == status).filter(afterCursor)
                    .sorted(NEWEST_FIRST).limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, p -> Cursor.encode(p.updatedAt(), p.id()));
        }
    }

    @Override
    public Page<Prd> list(PrdStatus status, ListFilter filter, String cursor, int limit) {
        Comparator<Prd> order = filter.ascending() ? NEWEST_FIRST.reversed() : NEWEST_FIRST;
        Cursor after = Cursor.decode(cursor);
        Prd bound = after == null ? null : new Prd(after.uuid(), "", "", "", PrdStatus.DRAFT, Map.of(), null, 1,
                after.at(), "", after.at(), "", null);
        synchronized (lock) {
            List<Prd> rows = prds.values().stream().filter(p -> !p.deleted())
                    .filter(p -> status == null || p.status() == status)
                    .filter(p -> filter.admits(p.updatedAt()) && filter.matches(p.title()))
                    .filter(p -> bound == null || order.compare(p, bound) > 0)
                    .sorted(order).limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, p -> Cursor.encode(p.updatedAt(), p.id()));
        }
    }

    @Override
    public Page<PrdVersion> versions(UUID prdId, String cursor, int limit) {
        Cursor before = Cursor.decode(cursor);
        synchronized (lock) {
            List<PrdVersion> rows = versions.getOrDefault(prdId, List.of()).stream()
                    .filter(v -> before == null || v.version() < before.number())
                    .sorted(Comparator.comparingLong(PrdVersion::version).reversed())
                    .limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, v -> Cursor.encode(v.committedAt(), v.version()));
        }
    }

    @Override
    public Optional<PrdVersion> version(UUID prdId, long version) {
        synchronized (lock) {
            return versions.getOrDefault(prdId, List.of()).stream().filter(v -> v.version() == version).findFirst();
        }
    }

    @Override
    public WriteResult<Prd> create(Prd prd, Change change) {
        if (prd.version() != 1) {
            throw new IllegalArgumentException("a created PRD is at version 1, not " + prd.version());
        }
        return write(PrdRules.normalized(prd), change, true);
    }

    @Override
    public WriteResult<Prd> update(Prd next, Change change) {
        return write(PrdRules.normalized(next), change, false);
    }

    private WriteResult<Prd> write(Prd row, Change change, boolean create) {
        var invalid = PrdRules.violation(row);
        if (invalid.isPresent()) {
            return new WriteResult.Rejected<>(invalid.get());
        }
        synchronized (lock) {
            Prd current = prds.get(row.id());
            if (create ? current != null
                    : current == null || current.deleted() || current.version() != row.version() - 1) {
                return current == null ? new WriteResult.NotFound<>("PRD " + row.id())
                        : WriteResult.versionClash(row.version(), current.version(), current.deleted());
            }
            if (current != null && PrdRules.transition(current.status(), row.status()).isPresent()) {
                return new WriteResult.Rejected<>(PrdRules.transition(current.status(), row.status()).get());
            }
            Optional<Prd> slugOwner = findBySlug(row.slug());
            if (slugOwner.isPresent() && !slugOwner.get().id().equals(row.id())) {
                return new WriteResult.Rejected<>("slug '" + row.slug() + "' is taken by another PRD");
            }
            prds.put(row.id(), row);
            versions.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(new PrdVersion(row.id(), row.version(),
                    change.changeType(), row, change.actor(), change.eventId(), StoreJson.micros(Instant.now())));
            audit.append(PrdRules.audit(row.id(), row.version(), change, Map.of("change_type", change.changeType())));
            return new WriteResult.Applied<>(row);
        }
    }

    @Override
    public List<PrdAgentLink> links(UUID prdId) {
        synchronized (lock) {
            return links.stream().filter(l -> l.prdId().equals(prdId))
                    .sorted(Comparator.comparing(PrdAgentLink::agentId, Cursor.PG_UUID_ORDER)).toList();
        }
    }

    @Override
    public Page<PrdAgentLink> linksOfAgent(UUID agentId, String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        UUID afterPrd = after == null ? null : after.uuid();
        synchronized (lock) {
            List<PrdAgentLink> rows = links.stream().filter(l -> l.agentId().equals(agentId))
                    .filter(l -> afterPrd == null || Cursor.PG_UUID_ORDER.compare(l.prdId(), afterPrd) > 0)
                    .sorted(Comparator.comparing(PrdAgentLink::prdId, Cursor.PG_UUID_ORDER))
                    .limit(Page.checkLimit(limit) + 1L).toList();
            return Page.of(rows, limit, PrdRules::agentLinkCursor);
        }
    }

    @Override
    public WriteResult<PrdAgentLink> link(PrdAgentLink link, Change change) {
        PrdAgentLink row = PrdRules.normalized(link);
        var invalid = PrdRules.violation(row);
        if (invalid.isPresent()) {
            return new WriteResult.Rejected<>(invalid.get());
        }
        synchronized (lock) {
            if (links.stream().anyMatch(l -> l.prdId().equals(row.prdId()) && l.agentId().equals(row.agentId()))) {
                return new WriteResult.Stale<>(0);
            }
            Prd prd = prds.get(row.prdId());
            boolean agentLive = agents.findById(row.agentId()).filter(a -> !a.deleted()).isPresent();
            if (prd == null || prd.deleted() || !agentLive) {
                return new WriteResult.NotFound<>("live PRD " + row.prdId() + " and agent " + row.agentId());
            }
            links.add(row);
            audit.append(PrdRules.audit(row.prdId(), null, change, PrdRules.linkDetails(row)));
            return new WriteResult.Applied<>(row);
        }
    }

    @Override
    public WriteResult<PrdAgentLink> unlink(UUID prdId, UUID agentId, Change change) {
        synchronized (lock) {
            Optional<PrdAgentLink> existing = links.stream()
                    .filter(l -> l.prdId().equals(prdId) && l.agentId().equals(agentId)).findFirst();
            if (existing.isEmpty()) {
                return new WriteResult.NotFound<>("link of PRD " + prdId + " to agent " + agentId);
            }
            links.remove(existing.get());
            audit.append(PrdRules.audit(prdId, null, change, PrdRules.linkDetails(existing.get())));
            return new WriteResult.Applied<>(existing.get());
        }
    }
}
