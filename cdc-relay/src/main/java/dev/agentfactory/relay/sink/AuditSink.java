package dev.agentfactory.relay.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.springframework.kafka.core.KafkaTemplate;

import dev.agentfactory.relay.change.RowChange;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes audit events to the agents and PRDs audit topics, keyed by entity id so one entity's events
 * stay in order. Returns once the broker acknowledged every record (acks=all, idempotent producer).
 */
public class AuditSink implements Sink {

    private final KafkaTemplate<String, String> kafka;
    private final AuditEvents events;
    private final JsonMapper json;
    private final String agentsTopic;
    private final String prdsTopic;

    public AuditSink(KafkaTemplate<String, String> kafka, AuditEvents events, JsonMapper json, String agentsTopic,
                     String prdsTopic) {
        this.kafka = kafka;
        this.events = events;
        this.json = json;
        this.agentsTopic = agentsTopic;
        this.prdsTopic = prdsTopic;
    }

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public void apply(List<RowChange> changes) throws Exception {
        if (changes.isEmpty()) {
            return;
        }
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (AuditEvent e : events.of(changes)) {
            String topic = e.entity().equals("agent") ? agentsTopic : prdsTopic;
            sent.add(kafka.send(topic, e.id().toString(), json.writeValueAsString(e)));
        }
        kafka.flush();
        // the dispatcher bounds the wait with the sink timeout and interrupts it
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
    }
}
