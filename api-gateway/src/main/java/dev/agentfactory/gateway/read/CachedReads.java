package dev.agentfactory.gateway.read;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdRepository;

/**
 * Single-entity reads, cache-aside: Redis first, PostgreSQL on a miss, the row written back with the
 * version guard. Redis being down degrades to database reads (counted as misses), never to errors.
 * {@link #refreshAgent}/{@link #refreshPrd} read the database and move the cache forward after a write,
 * which is what makes a read after an answered write return at least that version; they also end the
 * epoch of the cached first list pages, so the next list includes the write too.
 */
@Service
public class CachedReads {

    private static final Logger log = LoggerFactory.getLogger(CachedReads.class);

    private final VersionGuardedCache cache;
    private final ReadModelKeys keys;
    private final ReadModelCodec codec = new ReadModelCodec();
    private final AgentRepository agents;
    private final PrdRepository prds;
    private final FirstPages firstPages;
    private final Counter hits;
    private final Counter misses;

    CachedReads(VersionGuardedCache cache, AgentRepository agents, PrdRepository prds, FirstPages firstPages,
                MeterRegistry meters) {
        this.cache = cache;
        this.keys = cache.keys();
        this.agents = agents;
        this.prds = prds;
        this.firstPages = firstPages;
        this.hits = Counter.builder("factory.gateway.cache").tag("result", "hit")
                .description("single-entity reads served from Redis").register(meters);
        this.misses = Counter.builder("factory.gateway.cache").tag("result", "miss")
                .description("single-entity reads that went to PostgreSQL").register(meters);
    }

    public Optional<Agent> agent(UUID id) {
        return read(keys.agent(id), codec::readAgent, () -> agents.findById(id), this::store);
    }

    public Optional<Agent> agentBySlug(String slug) {
        String id = cached(keys.agentSlug(slug));
        return id != null ? agent(UUID.fromString(id)) : read(null, codec::readAgent, () -> agents.findBySlug(slug), this::store);
    }

    public Optional<Prd> prd(UUID id) {
        return read(keys.prd(id), codec::readPrd, () -> prds.findById(id), this::store);
    }

    public Optional<Prd> prdBySlug(String slug) {
        String id = cached(keys.prdSlug(slug));
        return id != null ? prd(UUID.fromString(id)) : read(null, codec::readPrd, () -> prds.findBySlug(slug), this::store);
    }

    /**
     * The agent from the database, cached unless Redis already holds a newer version. The list epoch ends
     * even when the read fails: the write is committed and its answer is still given.
     */
    public Optional<Agent> refreshAgent(UUID id) {
        boolean listsMayLag = true;
        try {
            Optional<Agent> a = agents.findById(id);
            a.ifPresent(this::store);
            // an entity the database no longer has (purged) is in no list: polling the outcome of a write to it
            // emptied every instance's first-page cache on each request
            listsMayLag = a.isPresent();
            return a;
        } finally {
            if (listsMayLag) {
                firstPages.agentsChanged();
            }
        }
    }

    public Optional<Prd> refreshPrd(UUID id) {
        boolean listsMayLag = true;
        try {
            Optional<Prd> p = prds.findById(id);
            p.ifPresent(this::store);
            listsMayLag = p.isPresent();
            return p;
        } finally {
            if (listsMayLag) {
                firstPages.prdsChanged();
            }
        }
    }

    /**
     * The agent as the database holds it now, bypassing a cache that may lag the worker's commit, and
     * cached unless Redis holds a newer version. Unlike {@link #refreshAgent} it keeps the list epoch: it
     * serves a write that changed nothing.
     */
    public Optional<Agent> currentAgent(UUID id) {
        Optional<Agent> a = agents.findById(id);
        a.ifPresent(this::store);
        return a;
    }

    public Optional<Prd> currentPrd(UUID id) {
        Optional<Prd> p = prds.findById(id);
        p.ifPresent(this::store);
        return p;
    }

    /** The version Redis holds for an entity key, -1 when none (or only a purge marker). */
    public long cachedVersion(String key) {
        String v = cached(key);
        return v == null || codec.isPurged(v) ? -1 : codec.version(v);
    }

    public ReadModelKeys keys() {
        return keys;
    }

    // A purge marker is a hit that decodes to empty: the entity was hard-deleted (404, not 410). The database
    // is not asked: the marker is the newest committed state the relay has seen, as a live entry is, and a
    // re-created entity replaces it through the relay.
    private <T> Optional<T> read(String key, Function<String, Optional<T>> decode, Supplier<Optional<T>> load,
                                 java.util.function.Consumer<T> store) {
        String json = key == null ? null : cached(key);
        if (json != null) {
            hits.increment();
            return decode.apply(json);
        }
        misses.increment();
        Optional<T> loaded = load.get();
        loaded.ifPresent(store);
        return loaded;
    }

    private void store(Agent a) {
        put(true, a.id(), a.slug(), a, a.version(), a.deletedAt() != null);
    }

    private void store(Prd p) {
        put(false, p.id(), p.slug(), p, p.version(), p.deletedAt() != null);
    }

    private void put(boolean agent, UUID id, String slug, Object entity, long version, boolean deleted) {
        try {
            cache.putIfNewer(agent, id, slug, codec.write(entity), version, deleted);
        } catch (DataAccessException e) {
            log.warn("read model not updated for {} {} (Redis unavailable): {}", agent ? "agent" : "PRD", id,
                    e.getMessage());
        }
    }

    private String cached(String key) {
        try {
            return cache.get(key);
        } catch (DataAccessException e) {
            log.warn("Redis unavailable, reading {} from the database: {}", key, e.getMessage());
            return null;
        }
    }
}
