package dev.agentfactory.relay.sink;

import java.util.List;

import dev.agentfactory.relay.change.RowChange;

/**
 * A destination of the change stream. {@link #apply} receives the changes of one or more whole committed
 * transactions in commit order and must be idempotent: after a crash the relay delivers them again.
 */
public interface Sink {

    /** The metric tag: redis, audit or standby. */
    String name();

    /**
     * Applies the changes; returns normally only when they are durable in the sink. The list is empty when
     * the relay saw only a heartbeat: nothing to write, but a chance to check the destination.
     */
    void apply(List<RowChange> changes) throws Exception;
}
