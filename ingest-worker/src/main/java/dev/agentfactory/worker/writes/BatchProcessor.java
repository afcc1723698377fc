package dev.agentfactory.worker.writes;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transactional handler behind the Kafka listener. One transaction per batch; when the database
 * refuses the batch for a data reason, the batch is split in halves (each half its own transaction, in
 * order) until the record at fault is alone, and that record is committed as REJECTED with the
 * database's message, so one bad record never rolls back or stalls the others. Transient failures are
 * thrown to the container, which retries the batch with backoff. Each transaction that commits is reported to the
 * caller's {@link CommitListener} as it commits, since a transient failure of a later half loses the merged result.
 */
public final class BatchProcessor {

    private static final Logger log = LoggerFactory.getLogger(BatchProcessor.class);

    /** One transaction over a run of records of a poll: {@link BatchHandler#apply}. */
    interface Transaction {
        BatchResult apply(List<Item> items, List<Item> poll, Map<UUID, String> rejects, DeadLetterSink dlq);
    }

    private final Transaction handler;

    /**
     * @param maxEntityBytes the largest version snapshot a write may leave an agent or PRD with
     * @param maxBatchChars  the most snapshot and history text one transaction stages
     */
    public BatchProcessor(DataSource dataSource, TransactionTemplate tx, OffsetStore offsets, Clock clock,
                          int maxEntityBytes, long maxBatchChars) {
        this(new BatchHandler(dataSource, tx, offsets, clock, maxEntityBytes, maxBatchChars)::apply);
    }

    BatchProcessor(Transaction handler) {
        this.handler = handler;
    }

    /** @return the outcomes of every transaction the batch took, merged, for publishing */
    public BatchResult process(List<Item> items, DeadLetterSink dlq, CommitListener committed) {
        return process(items, items, dlq, committed);
    }

    private BatchResult process(List<Item> items, List<Item> poll, DeadLetterSink dlq, CommitListener committed) {
        try {
            return commit(items, poll, Map.of(), dlq, committed);
        } catch (BatchTooLarge e) {
            // Never for one record (a transaction of one event stages at most one entity's limit), so this ends.
            log.warn("batch of {} would stage {}; splitting it", items.size(), e.getMessage());
            return inHalves(items, poll, dlq, committed);
        } catch (BatchSqlException e) {
            if (!e.dataError()) {
                throw e;
            }
            if (items.size() > 1) {
                log.warn("batch of {} refused by the database ({}); splitting to isolate the record", items.size(),
                        e.getMessage());
                return inHalves(items, poll, dlq, committed);
            }
            Item item = items.get(0);
            if (!item.valid()) {
                throw e;
            }
            log.warn("event {} refused by the database: {}", item.envelope().eventId(), e.getMessage());
            return commit(items, poll, Map.of(item.envelope().eventId(), "refused by the database: " + e.getMessage()),
                    dlq, committed);
        }
    }

    /** Each half its own transaction (or further halves), in order. */
    private BatchResult inHalves(List<Item> items, List<Item> poll, DeadLetterSink dlq, CommitListener committed) {
        int half = items.size() / 2;
        return BatchResult.merge(process(items.subList(0, half), poll, dlq, committed),
                process(items.subList(half, items.size()), poll, dlq, committed));
    }

    private BatchResult commit(List<Item> items, List<Item> poll, Map<UUID, String> rejects, DeadLetterSink dlq,
                               CommitListener committed) {
        long start = System.nanoTime();
        BatchResult result = handler.apply(items, poll, rejects, dlq);
        committed.committed(result, System.nanoTime() - start);
        return result;
    }
}
