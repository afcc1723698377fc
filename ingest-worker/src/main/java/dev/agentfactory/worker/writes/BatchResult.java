package dev.agentfactory.worker.writes;

import java.util.List;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;

/**
 * What a committed batch did: one outcome per fresh valid event (with its envelope, for the end-to-end
 * latency), how many records went to the DLQ and how many were skipped as already committed.
 */
public record BatchResult(List<Applied> outcomes, int deadLettered, int alreadyCommitted) {

    public record Applied(WriteEnvelope envelope, WriteOutcome outcome) {
    }

    static BatchResult merge(BatchResult a, BatchResult b) {
        List<Applied> all = new java.util.ArrayList<>(a.outcomes);
        all.addAll(b.outcomes);
        return new BatchResult(all, a.deadLettered + b.deadLettered, a.alreadyCommitted + b.alreadyCommitted);
    }
}
