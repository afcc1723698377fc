package dev.agentfactory.gateway.writes;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.agentfactory.contracts.EventIds;
import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * Turns an HTTP write into a write envelope, validated by the contracts codec with exactly the rules the
 * worker applies, and publishes it with the contracts producer (key = entityId). A keyed request that
 * was already processed is answered from its stored outcome without publishing again.
 */
@Service
public class WriteGateway {

    private final WriteCodec codec = new WriteCodec();
    private final WriteProducer producer;
    private final OutcomeWaiter waiter;
    private final IdempotencyKeys idempotency;
    private final WriteOutcomeRepository outcomes;

    WriteGateway(WriteProducer producer, OutcomeWaiter waiter, IdempotencyKeys idempotency,
                 WriteOutcomeRepository outcomes) {
        this.producer = producer;
        this.waiter = waiter;
        this.idempotency = idempotency;
        this.outcomes = outcomes;
    }

    Submission submit(WriteRequest req, String actor) {
        UUID eventId = req.idempotencyKey() == null ? EventIds.next()
                : IdempotencyKeys.eventId(actor, req.idempotencyKey());
        // A create's entity is named after its event, so a retried keyed create names the same entity.
        UUID entityId = req.creates() ? UUID.nameUUIDFromBytes(("entity\n" + eventId).getBytes(StandardCharsets.UTF_8))
                : req.entityId();
        WriteEnvelope envelope = validated(eventId, entityId, req, actor);
        if (req.idempotencyKey() != null) {
            byte[] body = req.payload().toString().getBytes(StandardCharsets.UTF_8);
            // The outcome is looked up first, so that a processed key whose fingerprint is gone is marked
            // expired at once: claiming it would store this request's fingerprint against another's outcome.
            Optional<WriteOutcome> done = outcomes.find(eventId);
            if (done.isPresent()) {
                idempotency.checkProcessed(eventId, req.method(), req.path(), req.expectedVersion(), body);
                return new Submission(envelope, req.waitFor(), CompletableFuture.completedFuture(done));
            }
            idempotency.claim(eventId, req.method(), req.path(), req.expectedVersion(), body);
        }
        boolean waiting = !req.waitFor().isZero();
        CompletableFuture<Optional<WriteOutcome>> outcome = waiting ? waiter.register(eventId, req.waitFor()) : null;
        CompletableFuture<Optional<WriteOutcome>> sent = producer.send(envelope).handle((metadata, error) -> {
            if (error != null) {
                ApiProblem failed = publishFailure(error);
                if (waiting) {
                    waiter.abandon(outcome, failed);
                }
                throw failed;
            }
            return Optional.<WriteOutcome>empty();
        });
        return new Submission(envelope, req.waitFor(), waiting ? sent.thenCompose(x -> outcome) : sent);
    }

    /**
     * Why a write was not published. A record too large for the producer's max.request.size or the broker's
     * message.max.bytes can never be published by retrying (413); anything else is the broker unavailable (503).
     */
    static ApiProblem publishFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large",
                        "the write is larger than the message broker accepts; it was not accepted");
            }
        }
        return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable",
                "the write could not be published; it was not accepted, retry it (with the same Idempotency-Key)");
    }

    private WriteEnvelope validated(UUID eventId, UUID entityId, WriteRequest req, String actor) {
        ObjectNode env = JsonNodeFactory.instance.objectNode();
        env.put("eventId", eventId.toString()).put("type", req.type().wireName()).put("entityId", entityId.toString());
        if (req.expectedVersion() != null) {
            env.put("expectedVersion", req.expectedVersion());
        }
        env.put("actor", actor).put("occurredAt", Instant.now().toString())
                .put("schemaVersion", WriteEnvelope.SCHEMA_VERSION).set("payload", req.payload());
        try {
            return codec.decode(env.toString().getBytes(StandardCharsets.UTF_8));
        } catch (InvalidWriteException e) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-write", e.getMessage()).with("reason",
                    e.reason().wireName());
        }
    }

}
