package dev.agentfactory.gateway.writes;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.core.exc.StreamConstraintsException;
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
 * was already processed is answered from its stored outcome without publishing again. A publish whose fate the
 * producer cannot tell (timed out after the record was queued) is never answered "not accepted": the write may
 * be committed, and a client retrying an unkeyed create would duplicate it.
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
        CompletableFuture<RecordMetadata> published = producer.send(envelope);
        // Kafka's producer reports what fails before the record is queued (closed, no metadata within max.block.ms,
        // too large, not serializable) during send itself: that record was never sent. Anything reported later
        // comes from its batch, which may have reached the broker (a failure after a send to the broker takes a
        // round trip at least, long after send returned).
        boolean refusedBySend = published.isCompletedExceptionally();
        CompletableFuture<Optional<WriteOutcome>> sent = published.handle((metadata, error) -> error).thenCompose(error -> {
            if (error == null) {
                return waiting ? outcome : CompletableFuture.completedFuture(Optional.empty());
            }
            if (refusedBySend || !mayHaveLanded(error)) {
                ApiProblem failed = publishFailure(error);
                if (waiting) {
                    waiter.abandon(outcome, failed);
                }
                return CompletableFuture.failedFuture(failed);
            }
            // The outcome may still come (the leader appended the record, then the ack was lost or came too late):
            // a waited write keeps waiting for it; without it, or past the deadline, the write is unknown, not refused.
            return waiting ? outcome.thenApply(o -> Optional.of(o.orElseThrow(() -> outcomeUnknown(eventId))))
                    : CompletableFuture.failedFuture(outcomeUnknown(eventId));
        });
        return new Submission(envelope, req.waitFor(), sent);
    }

    /**
     * Whether a failure reported after the record was queued leaves its fate unknown: a retriable error is what the
     * producer reports once its own retries ran out (a batch expired after delivery.timeout.ms, a lost connection,
     * too few replicas after the append), and the broker may have appended the record before it. Other errors
     * (too large, not authorized, invalid) are the broker refusing the batch: nothing was written.
     */
    static boolean mayHaveLanded(Throwable error) {
        return causedBy(error, RetriableException.class);
    }

    /**
     * Why a write was not published. A record too large for the producer's max.request.size or the broker's
     * message.max.bytes can never be published by retrying (413); anything else is the broker unavailable (503).
     * Only for failures known not to have written the record (see {@link #mayHaveLanded}).
     */
    static ApiProblem publishFailure(Throwable error) {
        if (causedBy(error, RecordTooLargeException.class)) {
            return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large",
                    "the write is larger than the message broker accepts; it was not accepted");
        }
        return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable",
                "the write could not be published; it was not accepted, retry it (with the same Idempotency-Key)");
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A write the broker did not confirm and may have taken: not "not accepted", which would have a client retry an
     * unkeyed create or history append into a duplicate. Its outcome, if any, appears at the Location.
     */
    static ApiProblem outcomeUnknown(UUID eventId) {
        ApiProblem unknown = new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "publish-outcome-unknown",
                "the message broker did not confirm the write in time; it may have been accepted: its outcome will"
                        + " appear at the Location (404 until it is processed). Retry it only with the same"
                        + " Idempotency-Key; a retry without one may apply it twice").with("eventId", eventId);
        unknown.headers().setLocation(URI.create(WriteAnswers.WRITES_PATH + eventId));
        return unknown;
    }

    private WriteEnvelope validated(UUID eventId, UUID entityId, WriteRequest req, String actor) {
        ObjectNode env = JsonNodeFactory.instance.objectNode();
        env.put("eventId", eventId.toString()).put("type", req.type().wireName()).put("entityId", entityId.toString());
        if (req.expectedVersion() != null) {
            env.put("expectedVersion", req.expectedVersion());
        }
        env.put("actor", actor).put("occurredAt", Instant.now().toString())
                .put("schemaVersion", WriteEnvelope.SCHEMA_VERSION).set("payload", req.payload());
        byte[] record;
        try {
            record = env.toString().getBytes(StandardCharsets.UTF_8);
        } catch (StreamConstraintsException e) {
            // Jackson writes at most 500 levels (its only write constraint), and the envelope holds the body's values
            // a level or two below where Spring read them: a body its reader took near that limit cannot be written
            // back. Far deeper than the codec lets any value nest, so refused as the codec would, not answered 500.
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-write", "the body nests more than "
                    + WriteCodec.MAX_NESTING_DEPTH + " objects and arrays deep (a value in it may nest at most "
                    + WriteCodec.MAX_NESTING_DEPTH + ", counting itself)").with("reason",
                            InvalidWriteException.Reason.SCHEMA_VIOLATION.wireName());
        }
        try {
            return codec.decode(record);
        } catch (InvalidWriteException e) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-write", e.getMessage()).with("reason",
                    e.reason().wireName());
        }
    }

}
