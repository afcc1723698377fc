package dev.agentfactory.worker.writes;

/**
 * A transaction's events would load and stage more entity, snapshot and history text than
 * {@code factory.ingest.max-batch-chars} ({@link LoadedChars}):
 * thrown before anything is written, so the transaction rolls back and {@link BatchProcessor} splits the batch.
 * Every snapshot is bounded by the entity size limit, but a poll of 2,000 updates to entities near it staged gigabytes
 * and the worker, out of heap, died on the same batch at every restart.
 */
final class BatchTooLarge extends RuntimeException {

    BatchTooLarge(long chars, int events, long limit) {
        super(chars + " characters of loaded rows, snapshots and history for " + events + " events, over " + limit
                + " (factory.ingest.max-batch-chars)", null, false, false);
    }
}
