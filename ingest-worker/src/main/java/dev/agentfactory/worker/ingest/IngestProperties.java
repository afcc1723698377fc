package dev.agentfactory.worker.ingest;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the worker's consumption can be tuned by. Defaults live in application.yml and every value
 * can be set from the environment, so tests and deployments pick their own topics and group.
 *
 * @param agentTopic      agent writes
 * @param prdTopic        PRD writes
 * @param resultsTopic    where one outcome per event is published after the commit
 * @param dlqTopic        where undecodable or invalid records go, with the reason in headers
 * @param groupId         consumer group; also the key of the offsets stored in {@code ingest_offsets}
 * @param concurrency     consumer threads in this instance (each has its own transactions)
 * @param maxBatchRecords records per poll, hence per database transaction
 * @param maxPayloadBytes larger records are dead-lettered as oversized
 * @param maxEntityBytes  a write that would leave an agent or PRD with a larger version snapshot (UTF-8 JSON) is
 *                        REJECTED: records are bounded, but merge patches and links accumulate across writes
 * @param maxBatchChars   the most snapshot and history text one transaction stages: a poll that would stage more
 *                        is split in halves, each its own transaction, as a data error splits it
 * @param retryInitial    first pause after a transient database or broker failure
 * @param retryMax        longest pause between retries (they never give up: nothing is skipped)
 * @param pollTimeout     how long one poll waits for records
 * @param shutdownTimeout how long a graceful stop waits for the batch in flight
 */
@ConfigurationProperties("factory.ingest")
public record IngestProperties(
        String agentTopic,
        String prdTopic,
        String resultsTopic,
        String dlqTopic,
        String groupId,
        int concurrency,
        int maxBatchRecords,
        int maxPayloadBytes,
        int maxEntityBytes,
        long maxBatchChars,
        Duration retryInitial,
        Duration retryMax,
        Duration pollTimeout,
        Duration shutdownTimeout) {

    public IngestProperties {
        if (concurrency < 1 || maxBatchRecords < 1 || maxPayloadBytes < 1 || maxEntityBytes < 1 || maxBatchChars < 1) {
            throw new IllegalArgumentException("factory.ingest.concurrency, max-batch-records, max-payload-bytes, "
                    + "max-entity-bytes and max-batch-chars must be positive");
        }
    }
}
