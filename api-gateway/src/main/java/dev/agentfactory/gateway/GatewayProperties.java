package dev.agentfactory.gateway;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.agentfactory.contracts.Topics;
import dev.agentfactory.store.Page;

/**
 * Limits, timing, topics and cache settings of the gateway's HTTP API.
 *
 * @param maxBodyBytes    largest request body accepted (413 beyond)
 * @param maxWait         longest {@code Prefer: wait=N} honoured
 * @param defaultPageSize page size when the client gives none (1 to {@code maxPageSize})
 * @param maxPageSize     largest page a client may ask for (at most the store's {@link Page#MAX_LIMIT})
 * @param topics          where writes go and outcomes come from
 * @param cache           the Redis read model
 * @param writes          waiting for outcomes and idempotency keys
 */
@ConfigurationProperties("factory.gateway")
public record GatewayProperties(
        @DefaultValue("1048576") long maxBodyBytes,
        @DefaultValue("30s") Duration maxWait,
        @DefaultValue("50") int defaultPageSize,
        @DefaultValue("200") int maxPageSize,
        @DefaultValue Kafka topics,
        @DefaultValue Cache cache,
        @DefaultValue Writes writes) {

    public GatewayProperties {
        // Checked here, not per request: a maximum above the store's let ?limit=300 past Paging into the store's own
        // check (500), and a default outside 1..max failed every list read without a limit (500).
        if (maxPageSize < 1 || maxPageSize > Page.MAX_LIMIT) {
            throw new IllegalArgumentException("factory.gateway.max-page-size must be between 1 and " + Page.MAX_LIMIT
                    + " (the store's largest page), got " + maxPageSize);
        }
        if (defaultPageSize < 1 || defaultPageSize > maxPageSize) {
            throw new IllegalArgumentException("factory.gateway.default-page-size must be between 1 and"
                    + " factory.gateway.max-page-size (" + maxPageSize + "), got " + defaultPageSize);
        }
    }

    /**
     * @param agentWrites  topic of agent write commands
     * @param prdWrites    topic of PRD write commands
     * @param results      topic of write outcomes, read by every instance
     * @param resultsGroup prefix of each instance's own consumer group on the results topic
     */
    public record Kafka(@DefaultValue(Topics.AGENT_WRITES) String agentWrites,
                        @DefaultValue(Topics.PRD_WRITES) String prdWrites,
                        @DefaultValue(Topics.WRITE_RESULTS) String results,
                        @DefaultValue("factory-gateway-results") String resultsGroup) {
    }

    /**
     * @param prefix          key prefix of the read model (shared with the CDC relay)
     * @param ttl             how long an entry lives without being refreshed (bounds memory, not freshness)
     * @param firstPageMaxAge longest a cached first list page is served within its epoch (0 turns the
     *                        first-page cache off); changes end the epoch sooner
     * @param firstPages      most distinct first-page queries kept in memory (each at most 256 KiB)
     */
    public record Cache(@DefaultValue("factory") String prefix, @DefaultValue("1h") Duration ttl,
                        @DefaultValue("10s") Duration firstPageMaxAge, @DefaultValue("64") int firstPages) {
        public Cache {
            // Entries are written with a PX expiry: 0 is a Redis error on every cache fill.
            if (ttl == null || ttl.toMillis() < 1) {
                throw new IllegalArgumentException("factory.gateway.cache.ttl must be positive, got " + ttl);
            }
        }
    }

    /**
     * @param outcomePoll    interval of the database fallback while waiting for an outcome
     * @param idempotencyTtl how long an Idempotency-Key is remembered with its request's fingerprint
     * @param answerThreads  threads that read applied writes back for their answers (the database and Redis); answers
     *                       that read nothing never wait for them
     * @param publishTimeout longest wait for the broker to take a write before answering 503
     */
    public record Writes(@DefaultValue("250ms") Duration outcomePoll, @DefaultValue("24h") Duration idempotencyTtl,
                         @DefaultValue("8") int answerThreads, @DefaultValue("10s") Duration publishTimeout) {
        public Writes {
            // Keys are claimed with SET ... EX/PX ... NX: an expiry of 0 is a Redis error, a 503 for every keyed write.
            if (idempotencyTtl == null || idempotencyTtl.toMillis() < 1) {
                throw new IllegalArgumentException("factory.gateway.writes.idempotency-ttl must be positive, got "
                        + idempotencyTtl);
            }
        }
    }
}
