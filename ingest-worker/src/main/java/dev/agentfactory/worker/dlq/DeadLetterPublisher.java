package dev.agentfactory.worker.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.worker.ingest.AcknowledgedSends;
import dev.agentfactory.worker.writes.DeadLetterSink;
import dev.agentfactory.worker.writes.Item;

/**
 * Sends invalid records to the DLQ topic with the original bytes and headers saying where they came
 * from and why, and waits for the broker's acks (the batch's offsets commit after this returns). A value
 * larger than {@code maxValueBytes} is not copied (the producer could not send it, and the batch would be
 * retried forever): its dead letter carries no value and its message says where the original is.
 */
public final class DeadLetterPublisher implements DeadLetterSink {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);

    private final AcknowledgedSends sends;
    private final String topic;
    private final int maxValueBytes;

    public DeadLetterPublisher(AcknowledgedSends sends, String topic, int maxValueBytes) {
        this.sends = sends;
        this.topic = topic;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public void publish(List<Item> invalid) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(invalid.size());
        Instant now = Instant.now();
        for (Item item : invalid) {
            ConsumerRecord<byte[], byte[]> r = item.record();
            boolean dropValue = r.value() != null && r.value().length > maxValueBytes;
            String message = item.invalid().getMessage();
            if (dropValue) {
                message += "; the value of " + r.value().length + " bytes is not copied (over " + maxValueBytes
                        + "): read it at " + r.topic() + "-" + r.partition() + "@" + r.offset();
            }
            ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, r.key(), dropValue ? null : r.value());
            Headers h = out.headers();
            r.headers().forEach(h::add);
            h.remove(DlqHeaders.ORIGINAL_TOPIC);
            put(h, DlqHeaders.ORIGINAL_TOPIC, r.topic());
            put(h, DlqHeaders.ORIGINAL_PARTITION, Integer.toString(r.partition()));
            put(h, DlqHeaders.ORIGINAL_OFFSET, Long.toString(r.offset()));
            put(h, DlqHeaders.ERROR_CLASS, item.invalid().getClass().getName());
            put(h, DlqHeaders.REASON, item.invalid().reason().wireName());
            put(h, DlqHeaders.MESSAGE, message);
            put(h, DlqHeaders.FAILED_AT, now.toString());
            log.warn("dead-lettering {}-{}@{}: {} ({})", r.topic(), r.partition(), r.offset(),
                    item.invalid().reason().wireName(), message);
            records.add(out);
        }
        sends.sendAll(records, "dead letters");
    }

    private static void put(Headers h, String key, String value) {
        h.remove(key);
        h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
