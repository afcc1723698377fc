package dev.agentfactory.worker.results;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.worker.writes.BatchResult;

/**
 * Publishes one outcome per event after its batch committed (key = eventId). Outcomes are also in
 * {@code processed_events}, which is the source of truth; this topic lets writers wait without polling.
 */
public final class OutcomePublisher {

    private static final Logger log = LoggerFactory.getLogger(OutcomePublisher.class);

    private final KafkaTemplate<byte[], byte[]> template;
    private final WriteCodec codec;
    private final String topic;

    public OutcomePublisher(KafkaTemplate<byte[], byte[]> template, WriteCodec codec, String topic) {
        this.template = template;
        this.codec = codec;
        this.topic = topic;
    }

    public void publish(List<BatchResult.Applied> outcomes) {
        for (BatchResult.Applied a : outcomes) {
            template.send(topic, a.outcome().eventId().toString().getBytes(StandardCharsets.UTF_8),
                            codec.encodeOutcome(a.outcome()))
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            log.warn("outcome of {} not published: {}", a.outcome().eventId(), e.toString());
                        }
                    });
        }
    }
}
