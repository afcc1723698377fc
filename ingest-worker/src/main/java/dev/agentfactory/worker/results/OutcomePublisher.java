package dev.agentfactory.worker.results;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.producer.ProducerRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.worker.ingest.AcknowledgedSends;
import dev.agentfactory.worker.writes.BatchResult;

/**
 * Publishes one outcome per event after its batch committed (key = eventId) and waits for the acks, so
 * the listener returns, and Kafka's offset is committed, only once the outcomes are out. A worker that
 * dies in between is redelivered the batch from Kafka's offset; the records are already applied, and
 * their stored outcomes are published again (at-least-once, keyed by eventId).
 */
public final class OutcomePublisher {

    private static final Logger log = LoggerFactory.getLogger(OutcomePublisher.class);

    private final AcknowledgedSends sends;
    private final WriteCodec codec;
    private final String topic;

    public OutcomePublisher(AcknowledgedSends sends, WriteCodec codec, String topic) {
        this.sends = sends;
        this.codec = codec;
        this.topic = topic;
    }

    /** The longest {@link #publish} may wait for the broker. */
    public Duration longestWait() {
        return sends.longestCall();
    }

    public void publish(List<BatchResult.Applied> outcomes) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(outcomes.size());
        for (BatchResult.Applied a : outcomes) {
            records.add(new ProducerRecord<>(topic, a.outcome().eventId().toString().getBytes(StandardCharsets.UTF_8),
                    codec.encodeOutcome(a.outcome())));
        }
        try {
            sends.sendAll(records, "outcomes");
        } catch (IllegalStateException e) {
            // The batch is committed; the container retries it, finds it applied and publishes the stored outcomes.
            log.warn("outcomes of a committed batch not sent ({}); retrying the batch", e.getMessage());
            throw e;
        }
    }
}
