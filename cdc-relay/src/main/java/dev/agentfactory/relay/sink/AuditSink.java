package dev.agentfactory.relay.sink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.springframework.kafka.core.KafkaTemplate;

import dev.agentfactory.relay.change.RowChange;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes audit events to the agents and PRDs audit topics, keyed by entity id so one entity's events
 * stay in order. Returns once the broker acknowledged every record (acks=all, idempotent producer).
 * <p>
 * An update's event carries the entity's row twice (REPLICA IDENTITY FULL), so it can be twice the worker's entity
 * size limit: the producer's {@code max.request.size} and the topics' {@code max.message.bytes} are set for that
 * (factory.cdc.audit-max-request-bytes). An event that is still too large is {@link UndeliverableException}: no
 * retry can send it, and dropping it would break the contract, so the relay stops at its transaction, saying which
 * event and what to raise.
 */
public class AuditSink implements Sink {

    private final KafkaTemplate<String, String> kafka;
    private final AuditEvents events;
    private final JsonMapper json;
    private final String agentsTopic;
    private final String prdsTopic;
    private final int maxRequestBytes;

    /** @param maxRequestBytes the producer's {@code max.request.size}, named when an event is over it */
    public AuditSink(KafkaTemplate<String, String> kafka, AuditEvents events, JsonMapper json, String agentsTopic,
                     String prdsTopic, int maxRequestBytes) {
        this.kafka = kafka;
        this.events = events;
        this.json = json;
        this.agentsTopic = agentsTopic;
        this.prdsTopic = prdsTopic;
        this.maxRequestBytes = maxRequestBytes;
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
        List<AuditEvent> published = events.of(changes);
        List<CompletableFuture<?>> sent = new ArrayList<>();
        try {
            for (AuditEvent e : published) {
                sent.add(kafka.send(topic(e), e.id().toString(), json.writeValueAsString(e)));
            }
            kafka.flush();
            // the dispatcher bounds the wait with the sink timeout and interrupts it
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
        } catch (Exception e) {
            // the producer's own size check fails the send at once (Spring throws it from send), the broker's refusal
            // fails its future later
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof RecordTooLargeException) {
                    throw tooLarge(published, sent, cause);
                }
            }
            throw e;
        }
    }

    private String topic(AuditEvent e) {
        return e.entity().equals("agent") ? agentsTopic : prdsTopic;
    }

    /** Names the first refused event: its entity, version and position, its size, and the limits to raise. */
    private UndeliverableException tooLarge(List<AuditEvent> published, List<CompletableFuture<?>> sent,
                                            Throwable cause) {
        int i = 0; // the first failed send, or the one whose send threw
        while (i < sent.size() && !sent.get(i).isCompletedExceptionally()) {
            i++;
        }
        AuditEvent e = published.get(Math.min(i, published.size() - 1));
        int bytes = json.writeValueAsString(e).getBytes(StandardCharsets.UTF_8).length;
        return new UndeliverableException(("audit event of %s %s version %s (%s, lsn %d, tx %s) is %,d bytes: Kafka"
                + " refused it as too large (%s). Not retried, never skipped: the relay stays at this transaction"
                + " until factory.cdc.audit-max-request-bytes (%,d) and the max.message.bytes of topic %s are raised"
                + " above it").formatted(e.entity(), e.id(), e.version(), e.table(), e.lsn(), e.txId(), bytes,
                cause.getMessage(), maxRequestBytes, topic(e)), cause);
    }
}
