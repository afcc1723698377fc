package dev.agentfactory.worker.ingest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Sends records on the worker's one idempotent producer and returns only once the broker acknowledged
 * every one of them, or throws: outcomes and dead letters must be out before the consumer's offsets move
 * past their batch. One latch per call rather than a future per record: at one outcome per event, the
 * futures and observations of a KafkaTemplate were a visible share of the worker's CPU.
 */
public final class AcknowledgedSends implements AutoCloseable {

    private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
    private final Duration timeout;

    AcknowledgedSends(DefaultKafkaProducerFactory<byte[], byte[]> producers, Duration timeout) {
        this.producers = producers;
        this.timeout = timeout;
    }

    /** @param what names the records in the exception, e.g. "outcomes" */
    public void sendAll(List<ProducerRecord<byte[], byte[]>> records, String what) {
        if (records.isEmpty()) {
            return;
        }
        CountDownLatch acked = new CountDownLatch(records.size());
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (Producer<byte[], byte[]> producer = producers.createProducer()) {   // the factory's shared producer
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r, (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                    acked.countDown();
                });
            }
            if (!acked.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(records.size() + " " + what + " not acknowledged within "
                        + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + what, e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException(what + " not acknowledged: " + failure.get(), failure.get());
        }
    }

    @Override
    public void close() {
        producers.destroy();
    }
}
