package dev.agentfactory.relay.engine;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>
 * A BEGIN while a transaction is still open means the stream was resumed from the stored offsets without this handler
 * being replaced (the connector restarted inside the engine): what it buffered since its last acknowledgement is streamed
 * again from there, so it is dropped, never delivered as a partial transaction ahead of older ones. An END whose event
 * count is not the number of changes buffered since its BEGIN stops the engine instead: acknowledging later transactions
 * would skip one never delivered whole. The relay sets {@code errors.max.retries=0} so neither should happen.
 */
public class TransactionalBatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(TransactionalBatchHandler.class);

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
    private String openTxId;
    /**
     * Events since the open transaction's BEGIN as Debezium's END counts them: every event but the markers and its
     * heartbeats, so the heartbeat table's rows and transactional logical decoding messages (no change for the sinks) too.
     */
    private long openTxChanges;
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
            if (event instanceof RowChange || event instanceof CdcEvent.Other) {
                openTxChanges++;
            }
            if (event instanceof CdcEvent.TxBegin begin) {
                if (inTransaction) {
                    discardUnacknowledged("BEGIN of transaction " + begin.txId() + " while transaction " + openTxId
                            + " is open: the stream was resumed from the last stored offset");
                }
                inTransaction = true;
                openTxId = begin.txId();
                openTxChanges = 0;
            } else if (event instanceof RowChange change) {
                if (!change.table().equals(HEARTBEAT_TABLE)) {
                    pending.add(change);
                    pendingBytes += ApproximateStructSizeCalculator.getApproximateRecordSize(record.record());
                }
                if (!inTransaction) {
                    pendingMark = record; // snapshot rows: no transaction markers
                }
            } else if (event instanceof CdcEvent.TxEnd end) {
                boolean closing = inTransaction;
                inTransaction = false;
                if (closing) {
                    checkWhole(end);
                }
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

    /**
     * An END must close the open transaction with as many changes as were buffered for it; otherwise the buffer is not
     * the whole transaction. Stopping makes the relay start again from the last acknowledged transaction, with a new
     * handler, and deliver it whole. (An END with no transaction open, as a resumed connector may send for the
     * transaction of its stored offset, has nothing buffered and only moves the offset to where it already is.)
     */
    private void checkWhole(CdcEvent.TxEnd end) {
        boolean sameTx = end.txId() == null || openTxId == null || xid(end.txId()).equals(xid(openTxId));
        if (!sameTx || (end.eventCount() != null && end.eventCount() != openTxChanges)) {
            discardUnacknowledged("END of transaction " + end.txId() + " (" + end.eventCount() + " changes) closing "
                    + openTxId + " with " + openTxChanges + " changes buffered");
            throw new IllegalStateException("transaction " + end.txId() + " was not streamed whole (" + end.eventCount()
                    + " changes, " + openTxChanges + " buffered); restarting from the last acknowledged transaction");
        }
    }

    /**
     * The PostgreSQL transaction of Debezium's marker id, {@code <xid>:<lsn>}: BEGIN and END of one transaction carry
     * different LSNs there.
     */
    private static String xid(String markerId) {
        int colon = markerId.indexOf(':');
        return colon < 0 ? markerId : markerId.substring(0, colon);
    }

    /**
     * Drops everything not yet acknowledged: the stream resumes at (or before) the last acknowledged END, so all of
     * it comes again. Delivering it would put a partial transaction, and transactions out of commit order, in the sinks.
     */
    private void discardUnacknowledged(String why) {
        log.warn("{}; discarding {} buffered changes not yet acknowledged, which are streamed again", why,
                pending.size());
        pending.clear();
        pendingBytes = 0;
        pendingMark = null;
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
