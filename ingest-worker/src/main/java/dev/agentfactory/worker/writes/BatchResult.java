package dev.agentfactory.worker.writes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;

/**
 * What a committed batch did: one outcome per fresh valid event (with its envelope, for the end-to-end
 * latency), how many records went to the DLQ, the stored outcomes of records an earlier delivery
 * already committed (re-published so a crash before publishing loses no outcome; not counted again), and how many
 * records it took off the log for the first time.
 *
 * @param consumed    the records taken off the log for the first time (at or above their partition's stored offset,
 *                    or below it and never applied, which {@link Redelivery} warns of), counted apart from what became
 *                    of them (normally an outcome or a dead letter each): counted from those, the {@code consumed} meter
 *                    could not show a record that got neither. The others below it were counted by the delivery that
 *                    committed them
 * @param storedBelow for each partition whose records in the batch began above the offset stored for it before (a
 *                    partition never stored has none), that offset: retention may have deleted what lies between, or
 *                    the log merely skips offsets there (transaction markers, compaction)
 */
public record BatchResult(List<Applied> outcomes, int deadLettered, List<Applied> restated, int consumed,
                          Map<TopicPartition, Long> storedBelow) {

    /** A batch that saw no partition start above its stored offset. */
    public BatchResult(List<Applied> outcomes, int deadLettered, List<Applied> restated, int consumed) {
        this(outcomes, deadLettered, restated, consumed, Map.of());
    }

    /** @param replayed the record was sent again from the DLQ ({@code ops dlq-replay}), its occurredAt long past */
    public record Applied(WriteEnvelope envelope, WriteOutcome outcome, boolean replayed) {

        public Applied(WriteEnvelope envelope, WriteOutcome outcome) {
            this(envelope, outcome, false);
        }
    }

    static BatchResult merge(BatchResult a, BatchResult b) {
        List<Applied> all = new java.util.ArrayList<>(a.outcomes);
        all.addAll(b.outcomes);
        List<Applied> restated = new java.util.ArrayList<>(a.restated);
        restated.addAll(b.restated);
        Map<TopicPartition, Long> storedBelow = new HashMap<>(a.storedBelow);
        b.storedBelow.forEach((tp, offset) -> storedBelow.merge(tp, offset, Math::min));
        return new BatchResult(all, a.deadLettered + b.deadLettered, restated, a.consumed + b.consumed, storedBelow);
    }
}
