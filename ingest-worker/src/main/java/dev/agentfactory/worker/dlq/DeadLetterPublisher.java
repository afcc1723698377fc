package dev.agentfactory.worker.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * from and why, and waits for the broker's acks (the batch's offsets commit after this returns). A dead letter
 * the producer or the DLQ topic refuses as too large is sent again with less of its record, its message saying
 * what is not copied and where the original is: first without what exceeds max-payload-bytes (the value, else the
 * original headers, or a key that large), or without its value where nothing does (the DLQ topic takes less than
 * max-payload-bytes); then without value, key and headers. Otherwise the batch would be retried forever and one
 * large record would stall its partitions. (The message header is bounded:
 * {@link dev.agentfactory.contracts.InvalidWriteException} cuts messages that quote a bad value.)
 */
public final class DeadLetterPublisher implements DeadLetterSink {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);

    /** How much of its record a dead letter copies: all of it, then less after each refusal for size. */
    private enum Copy {
        WHOLE, TRIMMED, BARE;

        Copy smaller() {
            return values()[ordinal() + 1];
        }
    }

    /** The parts of the record a dead letter leaves out; {@code overLimit}: because they exceed max-payload-bytes. */
    private record Dropped(boolean value, boolean key, boolean headers, boolean overLimit) {

        static final Dropped NONE = new Dropped(false, false, false, false);

        boolean any() {
            return value || key || headers;
        }
    }

    /** One invalid record and how much of it its dead letter copies. */
    private record Letter(Item item, Copy copy) {
    }

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
        List<Letter> pending = invalid.stream().map(i -> new Letter(i, Copy.WHOLE)).toList();
        while (!pending.isEmpty()) {
            List<Exception> failures = sends.sendEach(pending.stream().map(l -> deadLetter(l, now)).toList(),
                    "dead letters");
            List<Letter> refused = new ArrayList<>();
            for (int i = 0; i < failures.size(); i++) {
                Exception failure = failures.get(i);
                if (failure == null) {
                    continue;
                }
                Letter letter = pending.get(i);
                if (!(failure instanceof RecordTooLargeException) || letter.copy() == Copy.BARE) {
                    throw new IllegalStateException("dead letters not acknowledged: " + failure, failure);
                }
                refused.add(new Letter(letter.item(), letter.copy().smaller()));
            }
            if (!refused.isEmpty()) {
                // Only these are sent again: the others are acknowledged.
                log.warn("{} dead letters too large for the DLQ; sending them again with less of their record",
                        refused.size());
            }
            pending = refused;
        }
    }

    /** A round of sends for each smaller copy a refusal for size can lead to. */
    @Override
    public Duration longestWait() {
        return sends.longestCall().multipliedBy(Copy.values().length);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(Letter letter, Instant now) {
        Item item = letter.item();
        ConsumerRecord<byte[], byte[]> r = item.record();
        Dropped dropped = dropped(r, letter.copy());
        String message = message(item, dropped);
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, dropped.key() ? null : r.key(),
                dropped.value() ? null : r.value());
        Headers h = out.headers();
        if (!dropped.headers()) {
            r.headers().forEach(h::add);
        }
        put(h, DlqHeaders.ORIGINAL_TOPIC, r.topic());
        put(h, DlqHeaders.ORIGINAL_PARTITION, Integer.toString(r.partition()));
        put(h, DlqHeaders.ORIGINAL_OFFSET, Long.toString(r.offset()));
        put(h, DlqHeaders.ERROR_CLASS, item.invalid().getClass().getName());
        put(h, DlqHeaders.REASON, item.invalid().reason().wireName());
        put(h, DlqHeaders.MESSAGE, message);
        put(h, DlqHeaders.FAILED_AT, now.toString());
        log.warn("dead-lettering {}-{}@{}: {} ({})", r.topic(), r.partition(), r.offset(),
                item.invalid().reason().wireName(), message);
        return out;
    }

    private Dropped dropped(ConsumerRecord<byte[], byte[]> r, Copy copy) {
        long value = r.value() == null ? 0 : r.value().length;
        long key = r.key() == null ? 0 : r.key().length;
        long headers = headerBytes(r);
        return switch (copy) {
            case WHOLE -> Dropped.NONE;
            case BARE -> new Dropped(value > 0, key > 0, headers > 0, false);
            case TRIMMED -> {
                // the key and headers alone can be too large too (a broker may take records far over the limit)
                boolean dropKey = key > maxValueBytes;
                boolean dropHeaders = headers + (dropKey ? 0 : key) > maxValueBytes;
                boolean dropValue = value > 0 && value + (dropKey ? 0 : key) + (dropHeaders ? 0 : headers)
                        > maxValueBytes;
                if (dropKey || dropHeaders || dropValue) {
                    yield new Dropped(dropValue, dropKey, dropHeaders, true);
                }
                // Within max-payload-bytes and refused all the same: the DLQ topic's max.message.bytes is lower.
                yield value > 0 ? new Dropped(true, false, false, false)
                        : new Dropped(false, key > 0, headers > 0, false);
            }
        };
    }

    private String message(Item item, Dropped dropped) {
        String message = item.invalid().getMessage();
        if (!dropped.any()) {
            return message;
        }
        ConsumerRecord<byte[], byte[]> r = item.record();
        List<String> parts = new ArrayList<>(3);
        if (dropped.value()) {
            parts.add("the value of " + r.value().length + " bytes");
        }
        if (dropped.key()) {
            parts.add("the key of " + r.key().length + " bytes");
        }
        if (dropped.headers()) {
            parts.add("the headers (" + headerBytes(r) + " bytes)");
        }
        boolean singular = parts.size() == 1 && !dropped.headers();
        return message + "; " + String.join(" and ", parts) + (singular ? " is" : " are") + " not copied ("
                + (dropped.overLimit() ? "over " + maxValueBytes : "the DLQ refused the dead letter as too large")
                + "): read " + (singular ? "it" : "them") + " at " + r.topic() + "-" + r.partition() + "@"
                + r.offset();
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
