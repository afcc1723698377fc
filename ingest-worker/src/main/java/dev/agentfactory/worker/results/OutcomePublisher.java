package dev.agentfactory.worker.results;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

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

    private final KafkaTemplate<byte[], byte[]> template;
    private final WriteCodec codec;
    private final String topic;
    private final Duration timeout;

    public OutcomePublisher(KafkaTemplate<byte[], byte[]> template, WriteCodec codec, String topic, Duration timeout) {
        this.template = template;
        this.codec = codec;
        this.topic = topic;
        this.timeout = timeout;
    }

    public void publish(List<BatchResult.Applied> outcomes) {
        List<CompletableFuture<?>> sends = new ArrayList<>(outcomes.size());
        for (BatchResult.Applied a : outcomes) {
            sends.add(template.send(topic, a.outcome().eventId().toString().getBytes(StandardCharsets.UTF_8),
                    codec.encodeOutcome(a.outcome())));
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing outcomes", e);
        } catch (ExecutionException | TimeoutException e) {
            // The batch is committed; the container retries it, finds it applied and publishes the stored outcomes.
            log.warn("outcomes of a committed batch not acknowledged ({}); retrying the batch", e.toString());
            throw new IllegalStateException("outcomes not acknowledged", e);
        }
    }
}
