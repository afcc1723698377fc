package dev.agentfactory.worker.results;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.ProducerFactory;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.worker.writes.BatchResult;

/**
 * Publishes one outcome per event after its batch committed (key = eventId) and waits for the acks, so
 * the listener returns, and Kafka's offset is committed, only once the outcomes are out. A worker that
 * dies in between is redelivered the batch from Kafka's offset; the records are already applied, and
 * their stored outcomes are published again (at-least-once, keyed by eventId).
 */
public final class OutcomePublisher {

    private static final Logger log = LoggerFactory.getLogger(OutcomePublisher.class);

    private final ProducerFactory<byte[], byte[]> producers;
    private final WriteCodec codec;
    private final String topic;
    private final Duration timeout;

    public OutcomePublisher(ProducerFactory<byte[], byte[]> producers, WriteCodec codec, String topic, Duration timeout) {
        this.producers = producers;
        this.codec = codec;
        this.topic = topic;
        this.timeout = timeout;
    }

    public void publish(List<BatchResult.Applied> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        // The producer itself rather than a KafkaTemplate: a future and an observation per record were a
        // visible share of the worker's CPU at one outcome per event. The factory's producer is shared.
        CountDownLatch acked = new CountDownLatch(outcomes.size());
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (Producer<byte[], byte[]> producer = producers.createProducer()) {
            for (BatchResult.Applied a : outcomes) {
                producer.send(new ProducerRecord<>(topic, a.outcome().eventId().toString().getBytes(StandardCharsets.UTF_8),
                        codec.encodeOutcome(a.outcome())), (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                            acked.countDown();
                        });
            }
            if (!acked.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw notAcknowledged("no acknowledgement within " + timeout.toSeconds() + " s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing outcomes", e);
        }
        if (failure.get() != null) {
            throw notAcknowledged(failure.get().toString(), failure.get());
        }
    }

    // The batch is committed; the container retries it, finds it applied and publishes the stored outcomes.
    private static IllegalStateException notAcknowledged(String why, Exception cause) {
        log.warn("outcomes of a committed batch not acknowledged ({}); retrying the batch", why);
        return new IllegalStateException("outcomes not acknowledged: " + why, cause);
    }
}
