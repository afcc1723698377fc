package dev.agentfactory.worker.ingest;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Sends records on the worker's one idempotent producer and returns only once the broker acknowledged
 * every one of them, or throws: outcomes and dead letters must be out before the consumer's offsets move
 * past their batch. One latch per call rather than a future per record: at one outcome per event, the
 * futures and observations of a KafkaTemplate were a visible share of the worker's CPU.
 */
public final class AcknowledgedSends implements AutoCloseable {

    /** Past the delivery timeout, how long the producer's sender thread may take to fail the expired records. */
    static final Duration REPORT_MARGIN = Duration.ofSeconds(5);

    private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
    private final Duration timeout;

    /**
     * Waits for acks as long as the producer itself may take to deliver or fail a record, its
     * {@code delivery.timeout.ms} (Kafka's default 120 s), plus a margin for its sender thread to report the expiry.
     * A shorter wait (30 s, once) gave up on records the producer was still delivering to a slow broker: the batch
     * rolled back and was retried, sending its dead letters again, and again at every retry while the broker stayed
     * slow.
     */
    AcknowledgedSends(DefaultKafkaProducerFactory<byte[], byte[]> producers) {
        this(producers, deliveryTimeout(producers.getConfigurationProperties()).plus(REPORT_MARGIN));
    }

    AcknowledgedSends(DefaultKafkaProducerFactory<byte[], byte[]> producers, Duration timeout) {
        this.producers = producers;
        this.timeout = timeout;
    }

    /**
     * How long one call normally takes at most: the producer's {@code max.block.ms} in its sends (fetching the topic's
     * metadata, or waiting for room in a full buffer) and then the wait for the acknowledgements. Each send may block
     * that long, so a call of many records into a buffer that stays full may take longer still.
     */
    public Duration longestCall() {
        return maxBlock(producers.getConfigurationProperties()).plus(timeout);
    }

    /** The producer's {@code max.block.ms}, as it reads it (Kafka's default where unset). */
    static Duration maxBlock(Map<String, Object> producerConfig) {
        Object value = producerConfig.getOrDefault(ProducerConfig.MAX_BLOCK_MS_CONFIG,
                ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        return Duration.ofMillis((Long) ConfigDef.parseType(ProducerConfig.MAX_BLOCK_MS_CONFIG, value,
                ConfigDef.Type.LONG));
    }

    /** @param what names the records in the exception, e.g. "outcomes" */
    public void sendAll(List<ProducerRecord<byte[], byte[]>> records, String what) {
        for (Exception failure : sendEach(records, what)) {
            if (failure != null) {
                throw new IllegalStateException(what + " not acknowledged: " + failure, failure);
            }
        }
    }

    /**
     * Sends the records and waits for an answer to each: their failures, in the records' order, null where the
     * broker acknowledged. Throws only when some are unanswered after the timeout, or on interrupt.
     *
     * @param what names the records in the exception, e.g. "dead letters"
     */
    public List<Exception> sendEach(List<ProducerRecord<byte[], byte[]>> records, String what) {
        Exception[] failures = new Exception[records.size()];
        if (records.isEmpty()) {
            return List.of();
        }
        CountDownLatch acked = new CountDownLatch(records.size());
        try (Producer<byte[], byte[]> producer = producers.createProducer()) {   // the factory's shared producer
            for (int i = 0; i < records.size(); i++) {
                int index = i;
                producer.send(records.get(i), (metadata, error) -> {
                    failures[index] = error;
                    acked.countDown();    // after the write: await() then sees it
                });
            }
            if (!acked.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(records.size() + " " + what + " not acknowledged within "
                        + timeout.toSeconds() + " s (the producer's delivery.timeout.ms and a margin)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + what, e);
        }
        return Arrays.asList(failures);
    }

    /** The producer's {@code delivery.timeout.ms}, as the producer reads it (Kafka's default where unset). */
    static Duration deliveryTimeout(Map<String, Object> producerConfig) {
        return Duration.ofMillis((Integer) ProducerConfig.configDef().parse(producerConfig)
                .get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    }

    @Override
    public void close() {
        producers.destroy();
    }
}
