package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.RecordSizes;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.worker.dlq.DeadLetterPublisher;
import dev.agentfactory.worker.writes.Item;

/**
 * Dead letters of records under max-payload-bytes are sent, however large their reason or headers: one the
 * producer refused at every attempt would stall the batch's partitions for ever. The producer here refuses
 * what {@code KafkaProducer}'s own size check refuses, at the worker's {@code max.request.size}.
 */
class DeadLetterSizeTest {

    private static final int MAX_PAYLOAD = 1_100_000;
    private static final int MAX_REQUEST = RecordSizes.maxRequestBytes(MAX_PAYLOAD);

    /** The largest record the producer or the DLQ topic takes. */
    private int limit = MAX_REQUEST;
    private final List<Integer> refused = new ArrayList<>();
    private final List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
    private final DeadLetterPublisher dlq = new DeadLetterPublisher(new AcknowledgedSends(
            new DefaultKafkaProducerFactory<>(Map.of()) {
                @Override
                public Producer<byte[], byte[]> createProducer() {
                    return new SizeCheckingProducer();
                }
            }, Duration.ofSeconds(5)), "dlq", MAX_PAYLOAD);

    @Test
    void aRecordWhoseReasonQuotesItsLargeBadEventIdIsDeadLetteredWithItsValue() {
        byte[] value = ("{\"type\":\"agent.create\",\"eventId\":\"" + "x".repeat(600_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        InvalidWriteException invalid = invalid(value);

        dlq.publish(List.of(new Item(new ConsumerRecord<>("writes", 0, 42L, null, value), null, invalid)));

        assertThat(refused).isEmpty();
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualTo(value);
            assertThat(r.headers().lastHeader(DlqHeaders.MESSAGE).value().length)
                    .isLessThanOrEqualTo(InvalidWriteException.MAX_MESSAGE_CHARS * 3);
        });
    }

    @Test
    void aRecordUnderTheLimitWhoseHeadersMakeItsDeadLetterTooLargeIsSentWithoutItsValue() {
        byte[] value = ("{\"eventId\":\"" + "y".repeat(1_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("writes", 1, 7L, null, value);
        record.headers().add(new RecordHeader("trace", new byte[200_000]));

        dlq.publish(List.of(new Item(record, null, invalid(value))));

        assertThat(refused).hasSize(1);
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.value()).isNull();
            assertThat(new String(r.headers().lastHeader(DlqHeaders.MESSAGE).value(), StandardCharsets.UTF_8))
                    .contains("read it at writes-1@7");
        });
    }

    @Test
    void aSmallInvalidRecordWithHugeHeadersIsSentWithItsValueAndKeyButWithoutThemAndSaysWhereTheyAre() {
        byte[] value = "not json".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("writes", 2, 9L, "k".getBytes(), value);
        record.headers().add(new RecordHeader("trace", new byte[1_200_000]));

        dlq.publish(List.of(new Item(record, null, invalid(value))));

        assertThat(refused).hasSize(1);
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.value()).as("small enough once the headers are gone").isEqualTo(value);
            assertThat(r.key()).as("kept: a replay must publish it with its entity's key").isEqualTo("k".getBytes());
            assertThat(r.headers().lastHeader("trace")).isNull();
            assertThat(new String(r.headers().lastHeader(DlqHeaders.ORIGINAL_OFFSET).value(), StandardCharsets.UTF_8))
                    .isEqualTo("9");
            assertThat(new String(r.headers().lastHeader(DlqHeaders.MESSAGE).value(), StandardCharsets.UTF_8))
                    .contains("the headers (1200005 bytes) are not copied").contains("read them at writes-2@9");
        });
    }

    /**
     * A DLQ topic with Kafka's default max.message.bytes (1,048,588) refuses a dead letter under max-payload-bytes.
     * The fallback only left out what exceeded max-payload-bytes, so it sent the same dead letter again, was
     * refused again, and the batch was retried forever.
     */
    @Test
    void aDeadLetterUnderTheLimitThatTheDlqRefusesIsSentWithoutItsValueAndOnlyItIsSentAgain() {
        limit = 1_048_588;
        byte[] value = ("{\"eventId\":\"" + "z".repeat(1_060_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] small = "not json".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> large = new ConsumerRecord<>("writes", 3, 11L, "k".getBytes(), value);
        ConsumerRecord<byte[], byte[]> other = new ConsumerRecord<>("writes", 3, 12L, "k".getBytes(), small);

        dlq.publish(List.of(new Item(large, null, invalid(value)), new Item(other, null, invalid(small))));

        assertThat(refused).hasSize(1);
        assertThat(sent).hasSize(2).satisfiesExactly(r -> assertThat(r.value()).isEqualTo(small), r -> {
            assertThat(r.value()).isNull();
            assertThat(r.key()).isEqualTo("k".getBytes());
            assertThat(new String(r.headers().lastHeader(DlqHeaders.MESSAGE).value(), StandardCharsets.UTF_8))
                    .contains("the value of " + value.length + " bytes is not copied (the DLQ refused the dead letter"
                            + " as too large): read it at writes-3@11");
        });
    }

    @Test
    void aDeadLetterTheDlqRefusesEvenWithoutItsValueIsSentWithoutKeyAndHeadersToo() {
        limit = 2_000;
        byte[] value = "not json".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("writes", 4, 5L, "k".getBytes(), value);
        record.headers().add(new RecordHeader("trace", new byte[3_000]));

        dlq.publish(List.of(new Item(record, null, invalid(value))));

        assertThat(refused).hasSize(2);
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.value()).isNull();
            assertThat(r.key()).isNull();
            assertThat(r.headers().lastHeader("trace")).isNull();
            assertThat(new String(r.headers().lastHeader(DlqHeaders.MESSAGE).value(), StandardCharsets.UTF_8))
                    .contains("the value of 8 bytes and the key of 1 bytes and the headers (3005 bytes) are not copied"
                            + " (the DLQ refused the dead letter as too large): read them at writes-4@5");
        });
    }

    private static InvalidWriteException invalid(byte[] value) {
        try {
            new WriteCodec(MAX_PAYLOAD).decode(value);
        } catch (InvalidWriteException e) {
            return e;
        }
        throw new AssertionError("valid: " + UUID.randomUUID());
    }

    /** Refuses what KafkaProducer.doSend's ensureValidRecordSize refuses, or a topic of {@link #limit}. */
    private final class SizeCheckingProducer extends MockProducer<byte[], byte[]> {

        SizeCheckingProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
            int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    CompressionType.NONE, r.key(), r.value(), r.headers().toArray());
            if (size > limit) {
                refused.add(size);
                RecordTooLargeException e = new RecordTooLargeException("The message is " + size + " bytes");
                callback.onCompletion(null, e);
                return CompletableFuture.failedFuture(e);
            }
            sent.add(r);
            return super.send(r, callback);
        }
    }
}
