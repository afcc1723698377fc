package dev.agentfactory.worker.writes;

import java.util.List;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;

/**
 * What a committed batch did: one outcome per fresh valid event (with its envelope, for the end-to-end
 * latency), how many records went to the DLQ, and the stored outcomes of records an earlier delivery
 * already committed (re-published so a crash before publishing loses no outcome; not counted again).
 */
public record BatchResult(List<Applied> outcomes, int deadLettered, List<Applied> restated) {

    public record Applied(WriteEnvelope envelope, WriteOutcome outcome) {
    }

    /** Records this transaction took off the log for the first time: an outcome or a dead letter each. */
    public int records() {
        return outcomes.size() + deadLettered;
    }

    static BatchResult merge(BatchResult a, BatchResult b) {
        List<Applied> all = new java.util.ArrayList<>(a.outcomes);
        all.addAll(b.outcomes);
        List<Applied> restated = new java.util.ArrayList<>(a.restated);
        restated.addAll(b.restated);
        return new BatchResult(all, a.deadLettered + b.deadLettered, restated);
    }
}
