package dev.agentfactory.worker.writes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;

/**
 * What a committed batch did: one outcome per fresh valid event (with its envelope, for the end-to-end
 * latency), how many records went to the DLQ, and the stored outcomes of records an earlier delivery
 * already committed (re-published so a crash before publishing loses no outcome; not counted again).
 *
 * @param storedBelow for each partition whose records in the batch began above the offset stored for it before (a
 *                    partition never stored has none), that offset: retention may have deleted what lies between, or
 *                    the log merely skips offsets there (transaction markers, compaction)
 */
public record BatchResult(List<Applied> outcomes, int deadLettered, List<Applied> restated,
                          Map<TopicPartition, Long> storedBelow) {

    public record Applied(WriteEnvelope envelope, WriteOutcome outcome) {
    }

    public BatchResult(List<Applied> outcomes, int deadLettered, List<Applied> restated) {
        this(outcomes, deadLettered, restated, Map.of());
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
        Map<TopicPartition, Long> storedBelow = new HashMap<>(a.storedBelow);
        b.storedBelow.forEach((tp, offset) -> storedBelow.merge(tp, offset, Math::min));
        return new BatchResult(all, a.deadLettered + b.deadLettered, restated, storedBelow);
    }
}
