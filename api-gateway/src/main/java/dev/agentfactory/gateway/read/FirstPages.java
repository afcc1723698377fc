package dev.agentfactory.gateway.read;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.cache.ReadModelKeys;

/**
 * First list pages (no cursor), the dashboard's most frequent read, kept serialized in memory per query
 * and served while the {@link ListEpochs epoch} they were computed under is still current: any committed
 * change of the entity ends the epoch, so a cached page is never older than a change the gateway or the
 * relay has seen, and a write answered by this gateway is in the next list. {@code firstPageMaxAge} bounds
 * how long a page lives even if an invalidation were lost (relay down). Later pages and reads while Redis
 * is unavailable go to PostgreSQL as before; the JSON is the same either way (same mapper).
 */
@Service
public class FirstPages {

    private static final Logger log = LoggerFactory.getLogger(FirstPages.class);
    /** Larger pages (long PRD bodies) are served but not kept: memory stays within firstPages × this. */
    static final int MAX_PAGE_BYTES = 256 * 1024;

    /** A serialized page and the epoch whose start preceded its query. */
    private record Entry(String epoch, long computedAt, byte[] json) {
    }

    private final Map<String, Entry> pages = new ConcurrentHashMap<>();
    private final ListEpochs epochs;
    private final ReadModelKeys keys;
    private final JsonMapper json;
    private final long maxAgeNanos;
    private final int maxEntries;
    private final Counter hits;
    private final Counter misses;

    FirstPages(ListEpochs epochs, VersionGuardedCache cache, JsonMapper json, GatewayProperties props,
               MeterRegistry meters) {
        this.epochs = epochs;
        this.keys = cache.keys();
        this.json = json;
        this.maxAgeNanos = props.cache().firstPageMaxAge().toNanos();
        this.maxEntries = props.cache().firstPages();
        this.hits = Counter.builder("factory.gateway.first-pages").tag("result", "hit")
                .description("first list pages served from memory").register(meters);
        this.misses = Counter.builder("factory.gateway.first-pages").tag("result", "miss")
                .description("first list pages read from PostgreSQL").register(meters);
    }

    /** The agent list page: from memory for a first page of the current epoch, else {@code load}. */
    public ResponseEntity<?> agents(String cursor, String query, Supplier<? extends Page<?>> load) {
        return page(keys.agentListEpoch(), "agents?" + query, cursor, load);
    }

    public ResponseEntity<?> prds(String cursor, String query, Supplier<? extends Page<?>> load) {
        return page(keys.prdListEpoch(), "prds?" + query, cursor, load);
    }

    /** After this gateway saw a write applied: the next list read must include it. */
    public void agentsChanged() {
        end(keys.agentListEpoch());
    }

    public void prdsChanged() {
        end(keys.prdListEpoch());
    }

    private ResponseEntity<?> page(String epochKey, String query, String cursor, Supplier<? extends Page<?>> load) {
        String epoch = cursor == null && maxAgeNanos > 0 ? epoch(epochKey) : null;
        if (epoch == null) {
            return ResponseEntity.ok(load.get());
        }
        long now = System.nanoTime();
        Entry cached = pages.get(query);
        if (cached != null && cached.epoch().equals(epoch) && now - cached.computedAt() < maxAgeNanos) {
            hits.increment();
            return body(cached.json());
        }
        misses.increment();
        byte[] body = json.writeValueAsBytes(load.get());
        if (body.length <= MAX_PAGE_BYTES) {
            if (pages.size() >= maxEntries && !pages.containsKey(query)) {
                pages.clear(); // rare (many distinct filters): start over rather than track recency
            }
            pages.put(query, new Entry(epoch, now, body));
        }
        return body(body);
    }

    private static ResponseEntity<byte[]> body(byte[] json) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json);
    }

    private String epoch(String key) {
        try {
            return epochs.current(key);
        } catch (DataAccessException e) {
            log.warn("Redis unavailable, list page read from the database: {}", e.getMessage());
            return null;
        }
    }

    private void end(String key) {
        try {
            epochs.end(key);
        } catch (DataAccessException e) {
            // The pages of other instances may then live up to firstPageMaxAge; this one's are dropped now.
            log.warn("list epoch {} not ended (Redis unavailable): {}", key, e.getMessage());
            pages.clear();
        }
    }
}
