package dev.agentfactory.relay.engine;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.connect.source.SourceRecord;

import dev.agentfactory.relay.change.CdcEvent;
import dev.agentfactory.relay.change.ChangeParser;
import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.relay.sink.SinkDispatcher;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.util.ApproximateStructSizeCalculator;

/**
 * The engine's batch consumer. It buffers each transaction until Debezium's END marker, hands the whole
 * transaction to the sinks, and only then marks the END record processed, so committed offsets (and the
 * LSN confirmed to the slot) always sit on a transaction boundary.
 * <p>
 * Why: Debezium before 3.7 (dbz#1554) resumes a pgoutput stream by LSN, and several rows of one
 * multi-insert or COPY share an LSN; an offset committed in the middle of such a group makes the restarted
 * connector skip the rest of it. Offsets at COMMIT positions resume at the next transaction, and a
 * transaction interrupted by a crash is delivered again from its start (the sinks absorb the duplicates).
 * Heartbeats are acknowledged only between transactions for the same reason.
 * <p>
 * Small transactions of one engine batch are delivered together, up to a number of changes and of bytes (Debezium's
 * estimate of the records, as its queue's byte bound counts them): a batch of large entities' updates is delivered
 * in parts, so the sinks' copies of a delivery (audit JSON, statements) stay bounded. A transaction is never split.
 */
public class TransactionalBatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    /** Written by Debezium's heartbeat action; its changes only move the offset. */
    static final String HEARTBEAT_TABLE = "cdc_heartbeat";

    private final ChangeParser parser;
    private final SinkDispatcher sinks;
    private final int maxGroupChanges;
    private final long maxGroupBytes;

    private final List<RowChange> pending = new ArrayList<>();
    private long pendingBytes;
    private RecordChangeEvent<SourceRecord> pendingMark;
    private boolean inTransaction;
    /** Written by the engine's polling thread only; read by the leader once the engine stopped. */
    private volatile long deliveredChanges;

    /**
     * @param maxGroupChanges deliver at a transaction's end once this many changes are pending
     * @param maxGroupBytes   deliver at a transaction's end once the pending changes' records are this large
     */
    public TransactionalBatchHandler(ChangeParser parser, SinkDispatcher sinks, int maxGroupChanges,
                                     long maxGroupBytes) {
        this.parser = parser;
        this.sinks = sinks;
        this.maxGroupChanges = maxGroupChanges;
        this.maxGroupBytes = maxGroupBytes;
    }

    /**
     * How many changes the sinks took: the stream's progress, which resets the restart backoff. Heartbeats do not count:
     * a heartbeat can come before the transaction that stops the engine at every start (while the primary decodes a
     * large one), and would reset the backoff each time.
     */
    public long deliveredChanges() {
        return deliveredChanges;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        for (RecordChangeEvent<SourceRecord> record : records) {
            // Java 17: no pattern switch yet; the sealed hierarchy keeps this chain exhaustive
            CdcEvent event = parser.parse(record.record());
            if (event instanceof CdcEvent.TxBegin) {
                inTransaction = true;
            } else if (event instanceof RowChange change) {
                if (!change.table().equals(HEARTBEAT_TABLE)) {
                    pending.add(change);
                    pendingBytes += ApproximateStructSizeCalculator.getApproximateRecordSize(record.record());
                }
                if (!inTransaction) {
                    pendingMark = record; // snapshot rows: no transaction markers
                }
            } else if (event instanceof CdcEvent.TxEnd) {
                inTransaction = false;
                pendingMark = record;
            } else if (event instanceof CdcEvent.Heartbeat && !inTransaction) {
                pendingMark = record;
            }
            // deliver at transaction ends; group small transactions, cap what is held in memory
            if (!inTransaction && pendingMark == record
                    && (pending.size() >= maxGroupChanges || pendingBytes >= maxGroupBytes)) {
                flush(committer);
            }
        }
        if (!inTransaction) {
            flush(committer);
        }
        committer.markBatchFinished();
    }

    private void flush(DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        if (pending.isEmpty() && pendingMark == null) {
            return; // delivered already, in the loop
        }
        sinks.deliver(pending); // empty for a heartbeat: the sinks may check their destinations
        deliveredChanges += pending.size();
        pending.clear();
        pendingBytes = 0;
        if (pendingMark != null) {
            committer.markProcessed(pendingMark);
            pendingMark = null;
        }
    }
}
