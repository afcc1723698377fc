package dev.agentfactory.worker.ingest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchConsumerAwareMessageListener;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.worker.dlq.DeadLetterPublisher;
import dev.agentfactory.worker.results.OutcomePublisher;
import dev.agentfactory.worker.writes.BatchProcessor;
import dev.agentfactory.worker.writes.BatchResult;
import dev.agentfactory.worker.writes.Item;

/**
 * The transport side of a batch: decode the polled records and check their key and topic ({@link RecordRouting}),
 * hand them to the transactional {@link BatchProcessor}, record the meters of each transaction it commits, report
 * writes retention deleted before they were applied ({@link ExpiredRecords}), then publish the outcomes and measure
 * the lag (from the batch's start when it failed and will be retried). Kafka offsets are committed by the container
 * after this returns; the database's copy is the one that counts.
 */
final class WriteListener implements BatchConsumerAwareMessageListener<byte[], byte[]> {

    private static final Logger log = LoggerFactory.getLogger(WriteListener.class);

    private final WriteCodec codec;
    private final RecordRouting routing;
    private final BatchProcessor processor;
    private final DeadLetterPublisher deadLetters;
    private final OutcomePublisher outcomes;
    private final IngestMetrics metrics;
    private final ExpiredRecords expired;
    private final Clock clock;

    WriteListener(WriteCodec codec, RecordRouting routing, BatchProcessor processor, DeadLetterPublisher deadLetters,
                  OutcomePublisher outcomes, IngestMetrics metrics, ExpiredRecords expired, Clock clock) {
        this.codec = codec;
        this.routing = routing;
        this.processor = processor;
        this.deadLetters = deadLetters;
        this.outcomes = outcomes;
        this.metrics = metrics;
        this.expired = expired;
        this.clock = clock;
    }

    @Override
    public void onMessage(List<ConsumerRecord<byte[], byte[]>> records, Consumer<?, ?> consumer) {
        metrics.polled(records.size());
        List<Item> items = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                items.add(new Item(r, routing.decode(codec, r), null));
            } catch (InvalidWriteException e) {
                items.add(new Item(r, null, e));
            }
        }
        try {
            // Meters counted as each transaction commits, before publishing: a split batch whose later half fails
            // has committed its first half for good, and a retry (of the rest, or after publishing failed) finds
            // those records committed and only restates their outcomes, which are not counted again. So are writes
            // retention deleted: the stored offsets are past them for good once committed.
            BatchResult result = processor.process(items, deadLetters, (committed, nanos) -> {
                metrics.committed(committed, nanos, clock.instant());
                if (!committed.storedBelow().isEmpty()) {
                    expired.afterBatch(consumer, committed.storedBelow(), firstOffsets(records));
                }
            });
            List<BatchResult.Applied> all = new ArrayList<>(result.outcomes());
            all.addAll(result.restated());
            outcomes.publish(all);
        } catch (RuntimeException e) {
            // The container's error handler retries the batch forever and logs none of its failures: without
            // this line a stalled partition (database down, a DLQ refusing a record) leaves no cause in the log.
            log.warn("batch of {} records ({}) failed; retrying it: {}", records.size(), positions(records),
                    e.toString());
            metrics.stalled(consumer, firstOffsets(records));
            throw e;
        }
        metrics.lag(consumer);
    }

    /** Each partition's first offset in the batch: where the partition's uncommitted records begin. */
    static Map<TopicPartition, Long> firstOffsets(List<? extends ConsumerRecord<?, ?>> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<?, ?> r : records) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        return first;
    }

    /**
     * Where a batch lies in the log, {@code topic-partition@first..last} per partition: a record that fails the
     * worker every time stalls its partition at the same offsets, and this is how to find it.
     */
    static String positions(List<? extends ConsumerRecord<?, ?>> records) {
        Map<String, long[]> ranges = new TreeMap<>();
        for (ConsumerRecord<?, ?> r : records) {
            ranges.merge(r.topic() + "-" + r.partition(), new long[] {r.offset(), r.offset()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        StringJoiner out = new StringJoiner(", ");
        ranges.forEach((tp, range) -> out.add(tp + "@" + range[0] + (range[1] > range[0] ? ".." + range[1] : "")));
        return out.toString();
    }
}
