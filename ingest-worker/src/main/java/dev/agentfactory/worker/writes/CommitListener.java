package dev.agentfactory.worker.writes;

/**
 * Told of each transaction of a batch as it commits. A batch the database refuses for a data reason is split, and
 * its halves commit one by one: when a later half then fails for a transient reason, the batch as a whole
 * returns nothing, and on its retry the committed halves' records are only restated. Their outcomes, dead letters
 * and commit times can be recorded here, once, and nowhere else.
 */
@FunctionalInterface
public interface CommitListener {

    /** @param nanos the transaction's time, load to commit */
    void committed(BatchResult result, long nanos);
}
