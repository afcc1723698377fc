package dev.agentfactory.relay;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;

import dev.agentfactory.store.replica.StandbyApplyLock;
import dev.agentfactory.store.replica.TableSpec;

/**
 * Everything the relay needs to know, bound from {@code factory.cdc.*} so tests and deployments can
 * give each relay its own slot, topics and standby without touching code.
 *
 * @param name              Debezium engine name; the key of the durable offsets
 * @param topicPrefix       Debezium logical server name (prefix of its internal topic names)
 * @param slotName          the logical replication slot (cluster-wide, so unique per environment)
 * @param publicationName   the publication created by the migrations
 * @param tables            the factory tables streamed (must match the publication; with the standby sink on, all
 *                          in {@link TableSpec#FACTORY})
 * @param agentsAuditTopic  audit topic of agent changes
 * @param prdsAuditTopic    audit topic of PRD changes
 * @param auditMaxRequestBytes the largest audit event the relay's producer sends ({@code max.request.size}): an
 *                          update of an agent or PRD carries its whole row twice (REPLICA IDENTITY FULL), so at
 *                          least twice the worker's {@code factory.ingest.max-entity-bytes} (1,200,000) with room;
 *                          the audit topics' {@code max.message.bytes} must take as much
 * @param redisPrefix       prefix of the read-model keys
 * @param tombstoneTtl      how long a deleted entity's tombstone stays in Redis
 * @param standby           the standby database the relay applies changes to
 * @param lockKey           PostgreSQL advisory lock key: one active relay per key; {@code FACTORY_CDC_LOCK_KEY}, with
 *                          the default {@code ops} reads too ({@link StandbyApplyLock}), as the standby apply lock
 *                          is made from it
 * @param lockPollInterval  how often a waiting instance tries the lock
 * @param lockPeerTimeout   how long the primary keeps the lock of a relay it can no longer reach (a frozen VM,
 *                          a network partition) before it ends that session: its TCP keepalive and user timeout
 * @param staleWalsenderTimeout how long a new leader waits for the walsender of a previous relay, which it terminated,
 *                          to leave the slot, using its lock session meanwhile
 * @param sinkTimeout       limit on one call of one sink
 * @param dbSocketTimeout   pgjdbc's socketTimeout (whole seconds) on the standby pool, the primary pool and the
 *                          offset store's connection, with TCP keepalive: a read on a connection gone half-open
 *                          (a network fault) fails after it instead of holding its thread and pool connection for
 *                          good, which a timed-out sink call's interrupt does not end. Above the sink timeout, so a
 *                          statement the sink timeout allows is never cut
 * @param sinkAttempts      attempts per sink call before the engine is stopped
 * @param retryBackoff      first pause between attempts (doubled each time)
 * @param restartBackoff    pause before the engine is restarted after it stopped on an error, doubled after each
 *                          further failure with no change delivered in between (the leader uses its lock session every
 *                          lock-poll-interval meanwhile, so the primary does not end it)
 * @param restartBackoffMax the longest such pause: an engine stopping on the same transaction at every start delivers
 *                          the rest of its delivery again each time, to the audit topics too; and the longest a relay
 *                          may take to resume after a long outage of a sink
 * @param heartbeatInterval Debezium heartbeat interval
 * @param offsetFlushInterval how often acknowledged offsets are written and confirmed to the slot
 * @param shutdownTimeout   limit on a graceful stop as a whole, below the platform's grace period (Cloud Run: 10 s):
 *                          a delivery in flight is abandoned at once (its sink calls cancelled; delivered again at
 *                          the next start) and the last offset flush gets nine tenths of it, at most 10 s
 *                          ({@code DebeziumConfig})
 * @param maxQueueRecords   Debezium's {@code max.queue.size}: change events read from the slot, not yet handled
 * @param maxBatchRecords   Debezium's {@code max.batch.size}: events handed to the relay at once
 * @param maxQueueBytes     Debezium's {@code max.queue.size.in.bytes} (its estimate of the events' size; 0 would be
 *                          unbounded): with counts alone, catching up on entities near the worker's size limit (each
 *                          update about 2.4 MB with its before-image) could fill the heap, and again at every restart
 * @param maxDeliveryChanges most changes of several small transactions delivered to the sinks together
 * @param maxDeliveryBytes  most bytes (the same estimate) of several transactions delivered together; one transaction
 *                          is never split, however large
 * @param slotLagDownBytes  slot lag above which health is DOWN
 * @param slotLagPollInterval how often the slot lag is read
 */
@ConfigurationProperties("factory.cdc")
public record CdcProperties(
        @DefaultValue("factory-cdc") String name,
        @DefaultValue("factory") String topicPrefix,
        @DefaultValue("factory_cdc") String slotName,
        @DefaultValue("factory_cdc") String publicationName,
        @DefaultValue({"agents", "agent_versions", "agent_history", "prds", "prd_versions", "prd_agents",
                "audit_log", "processed_events", "ingest_offsets"}) List<String> tables,
        @DefaultValue("factory.audit.agents.v1") String agentsAuditTopic,
        @DefaultValue("factory.audit.prds.v1") String prdsAuditTopic,
        @DefaultValue("4194304") int auditMaxRequestBytes,
        @DefaultValue("factory") String redisPrefix,
        @DefaultValue("7d") Duration tombstoneTtl,
        @DefaultValue Standby standby,
        @DefaultValue(StandbyApplyLock.DEFAULT_KEY_TEXT) long lockKey,
        @DefaultValue("1s") Duration lockPollInterval,
        @DefaultValue("30s") Duration lockPeerTimeout,
        @DefaultValue("30s") Duration staleWalsenderTimeout,
        @DefaultValue("10s") Duration sinkTimeout,
        @DefaultValue("30") @DurationUnit(ChronoUnit.SECONDS) Duration dbSocketTimeout,
        @DefaultValue("5") int sinkAttempts,
        @DefaultValue("200ms") Duration retryBackoff,
        @DefaultValue("5s") Duration restartBackoff,
        @DefaultValue("5m") Duration restartBackoffMax,
        @DefaultValue("10s") Duration heartbeatInterval,
        @DefaultValue("1s") Duration offsetFlushInterval,
        @DefaultValue("30s") Duration shutdownTimeout,
        @DefaultValue("32768") int maxQueueRecords,
        @DefaultValue("8192") int maxBatchRecords,
        @DefaultValue("268435456") long maxQueueBytes,
        @DefaultValue("10000") int maxDeliveryChanges,
        @DefaultValue("67108864") long maxDeliveryBytes,
        @DefaultValue("268435456") long slotLagDownBytes,
        @DefaultValue("5s") Duration slotLagPollInterval) {

    public CdcProperties {
        // Tombstones and purge markers are written with a PX expiry in whole seconds: 0 is a Redis error at the
        // first delete, and no expiry at all would keep every deleted id forever.
        if (dbSocketTimeout.toSeconds() <= sinkTimeout.toSeconds()) {
            throw new IllegalArgumentException("factory.cdc.db-socket-timeout (" + dbSocketTimeout
                    + ") must be above factory.cdc.sink-timeout (" + sinkTimeout + ") in whole seconds");
        }
        // The lock session is ended after lock-peer-timeout without a query, and the leader checks it every poll
        if (lockPeerTimeout.compareTo(lockPollInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("factory.cdc.lock-peer-timeout (" + lockPeerTimeout
                    + ") must be at least three lock-poll-intervals (" + lockPollInterval + ")");
        }
        if (restartBackoff.isNegative() || restartBackoff.isZero() || restartBackoffMax.compareTo(restartBackoff) < 0) {
            throw new IllegalArgumentException("factory.cdc.restart-backoff-max (" + restartBackoffMax
                    + ") must be at least factory.cdc.restart-backoff (" + restartBackoff + "), which must be positive");
        }
        if (tombstoneTtl == null || tombstoneTtl.getSeconds() < 1) {
            throw new IllegalArgumentException("factory.cdc.tombstone-ttl must be at least 1s, got " + tombstoneTtl);
        }
        // Debezium refuses a queue not larger than its batch; a queue without a byte bound is what this setting ends
        if (maxQueueRecords <= maxBatchRecords || maxBatchRecords < 1) {
            throw new IllegalArgumentException("factory.cdc.max-queue-records (" + maxQueueRecords
                    + ") must be larger than factory.cdc.max-batch-records (" + maxBatchRecords + "), both positive");
        }
        if (maxQueueBytes < 1 || maxDeliveryBytes < 1 || maxDeliveryChanges < 1) {
            throw new IllegalArgumentException("factory.cdc.max-queue-bytes, max-delivery-bytes and"
                    + " max-delivery-changes must be positive");
        }
        // The standby sink applies a table by its TableSpec (key, parents first); one it does not know failed at its
        // first change, at every restart, and the relay never got past it.
        if (standby != null && standby.enabled()) {
            List<String> unknown = tables.stream()
                    .filter(t -> TableSpec.FACTORY.stream().noneMatch(spec -> spec.name().equals(t))).toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("factory.cdc.tables " + unknown + " are not in"
                        + " store.replica.TableSpec.FACTORY, so the standby sink cannot apply them: add them there"
                        + " (or run without the standby sink, factory.cdc.standby.enabled=false)");
            }
        }
    }

    /** The standby database; {@code enabled=false} runs the relay without the standby sink. */
    public record Standby(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("jdbc:postgresql://127.0.0.1:55433/factory") String url,
            @DefaultValue("factory_writer") String username,
            @DefaultValue("factory_writer_local") String password,
            @DefaultValue("4") int poolSize) {
    }
}
