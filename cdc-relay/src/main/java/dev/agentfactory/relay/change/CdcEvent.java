package dev.agentfactory.relay.change;

/**
 * One record of the Debezium stream as the relay sees it: a row change, a transaction boundary, a
 * heartbeat, or something the relay does not use. Dispatched with {@code switch}.
 */
public sealed interface CdcEvent permits RowChange, CdcEvent.TxBegin, CdcEvent.TxEnd, CdcEvent.Heartbeat,
        CdcEvent.Other {

    /** Debezium's transaction BEGIN marker ({@code provide.transaction.metadata}). */
    record TxBegin(String txId) implements CdcEvent {
    }

    /** Debezium's transaction END marker; its offset is the transaction's commit position. */
    record TxEnd(String txId, Long eventCount) implements CdcEvent {
    }

    /** A Debezium heartbeat: carries an offset, no data. */
    record Heartbeat() implements CdcEvent {
    }

    /** Anything else (e.g. a schema or tombstone record); carries no change for the sinks. */
    record Other(String topic) implements CdcEvent {
    }
}
