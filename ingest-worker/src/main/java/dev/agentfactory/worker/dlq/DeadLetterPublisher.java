package dev.agentfactory.worker.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.worker.ingest.AcknowledgedSends;
import dev.agentfactory.worker.writes.DeadLetterSink;
import dev.agentfactory.worker.writes.Item;

/**
 * Sends invalid records to the DLQ topic with the original bytes and headers saying where they came
 * from and why, and waits for the broker's acks (the batch's offsets commit after this returns). When a dead
 * letter is too large for the producer or the DLQ topic, the records whose value, key and headers exceed
 * max-payload-bytes are sent again without their value (and without the original key and headers, where those
 * alone exceed it), their message saying where the original is: otherwise the batch would be retried forever and
 * one oversized write would stall its partitions. (The message header is
 * bounded: {@link dev.agentfactory.contracts.InvalidWriteException} cuts messages that quote a bad value.)
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
        Instant now = Instant.now();
        try {
            sends.sendAll(deadLetters(invalid, now, false), "dead letters");
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof RecordTooLargeException)) {
                throw e;
            }
            // At least once: the dead letters the first attempt did get out are sent again.
            log.warn("dead letters too large for the DLQ ({}); sending the oversized ones without their value",
                    e.getMessage());
            sends.sendAll(deadLetters(invalid, now, true), "dead letters");
        }
    }

    private List<ProducerRecord<byte[], byte[]>> deadLetters(List<Item> invalid, Instant now, boolean dropOversized) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(invalid.size());
        for (Item item : invalid) {
            ConsumerRecord<byte[], byte[]> r = item.record();
            long extras = headerBytes(r) + (r.key() == null ? 0 : r.key().length);
            // the key and headers alone can be too large too (a broker may take records far over the worker's limit)
            boolean dropExtras = dropOversized && extras > maxValueBytes;
            boolean dropValue = dropOversized && r.value() != null
                    && r.value().length + (dropExtras ? 0 : extras) > maxValueBytes;
            String message = item.invalid().getMessage();
            if (dropValue || dropExtras) {
                String value = dropValue ? "the value of " + r.value().length + " bytes" : "";
                String extra = dropExtras ? "the key and headers (" + extras + " bytes)" : "";
                message += "; " + (dropValue && dropExtras ? value + " and " + extra + " are"
                        : dropValue ? value + " is" : extra + " are") + " not copied (over " + maxValueBytes
                        + "): read " + (dropValue && !dropExtras ? "it" : "them") + " at " + r.topic() + "-"
                        + r.partition() + "@" + r.offset();
            }
            ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, dropExtras ? null : r.key(),
                    dropValue ? null : r.value());
            Headers h = out.headers();
            if (!dropExtras) {
                r.headers().forEach(h::add);
            }
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
        return records;
    }

    /** The original record's headers, which its dead letter carries too. */
    private static long headerBytes(ConsumerRecord<byte[], byte[]> r) {
        long bytes = 0;
        for (Header h : r.headers()) {
            bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return bytes;
    }

    private static void put(Headers h, String key, String value) {
        h.remove(key);
        h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
