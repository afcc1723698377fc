package dev.agentfactory.gateway.writes;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.contracts.CommandType.EntityType;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.gateway.http.Preconditions;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.read.CachedReads;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * Answers a write the way a synchronous API would when the outcome came in time (201/200 with the entity
 * and its ETag, 409, 412, 422), and with {@code 202 Accepted} and the outcome's URL when it did not or
 * the client did not ask to wait. An APPLIED answer first moves the cache to the written version, so a
 * read that follows never sees an older one; a history append's is the outcome alone (200, no read, see
 * {@link #appended}). Once the outcome is known, a failed read of the entity never
 * turns the answer into a retryable 5xx: an applied write is then answered 202 with its outcome, and so it is when
 * the read outlasts its {@link AnswerDeadline} (before the async request timeout's bare 503). Only answers that read
 * go to the answer threads, so a slow database or Redis never holds a plain 202 behind them.
 */
@Component
public class WriteAnswers {

    public static final String WRITES_PATH = "/api/v1/writes/";

    private static final Logger log = LoggerFactory.getLogger(WriteAnswers.class);
    /**
     * Longest an answer waits for an answer thread before it is given without reading (an applied write as 202 with
     * its outcome): with reads taking seconds each (Redis hung, the database slow), a queue drained by eight threads
     * would otherwise hold answers past the async request timeout, whose 503 a client retries.
     */
    static final long MAX_QUEUED_MILLIS = 1_000;

    private final WriteGateway gateway;
    private final CachedReads reads;
    private final WriteOutcomeRepository outcomes;
    private final ExecutorService executor;
    private final AnswerDeadline deadline;
    private final Timer waitTimer;

    WriteAnswers(WriteGateway gateway, CachedReads reads, WriteOutcomeRepository outcomes,
                 @Qualifier("writeAnswerExecutor") ExecutorService executor, AnswerDeadline deadline,
                 MeterRegistry meters) {
        this.gateway = gateway;
        this.reads = reads;
        this.outcomes = outcomes;
        this.executor = executor;
        this.deadline = deadline;
        this.waitTimer = Timer.builder("factory.gateway.write.wait")
                .description("time from publishing a write to its outcome (or the end of the wait)")
                .publishPercentiles(0.5, 0.95, 0.99).register(meters);
    }

    /** Validates, publishes and (with a wait) answers one write. */
    public CompletableFuture<ResponseEntity<Object>> write(WriteRequest req, String actor) {
        // Before submit, which reads Redis and the database: the request timeout's clock started earlier still.
        long start = System.nanoTime();
        Submission s = gateway.submit(req, actor);
        Timer.Sample sample = Timer.start();
        boolean ifMatch = req.expectedVersion() != null;
        return s.outcome().thenCompose(o -> {
            if (!s.waitFor().isZero()) {
                sample.stop(waitTimer);
            }
            if (o.isEmpty() || !reads(s.envelope(), o.get())) {
                // No I/O: answered on the thread that completed the wait or the publish, not queued behind reads.
                return CompletableFuture.completedFuture(answer(s, ifMatch, o, false));
            }
            return readAndAnswer(s, ifMatch, o, deadline.readMillis(start));
        });
    }

    /**
     * On an answer thread; when they are all busy and the queue is full, or it waited too long, without reading. A read
     * still going at the end of {@code budget} is given up for the answer from the outcome alone: the store's retries
     * can hold it about 40 s with the database silent, past the async request timeout, whose bare 503 a client
     * would retry for a write that is committed (the read goes on, and may still move the cache forward).
     */
    private CompletableFuture<ResponseEntity<Object>> readAndAnswer(Submission s, boolean ifMatch,
                                                                   Optional<WriteOutcome> outcome, long budget) {
        UUID eventId = s.envelope().eventId();
        if (budget <= 0) {
            log.warn("write {} answered without reading: the request timeout is near", eventId);
            return CompletableFuture.completedFuture(answer(s, ifMatch, outcome, false));
        }
        long queued = System.nanoTime();
        CompletableFuture<ResponseEntity<Object>> answered;
        try {
            answered = CompletableFuture.supplyAsync(() -> {
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queued);
                boolean read = waited <= Math.min(MAX_QUEUED_MILLIS, budget);
                if (!read) {
                    log.warn("write {} answered without reading: it waited {} ms for an answer thread", eventId, waited);
                }
                return answer(s, ifMatch, outcome, read);
            }, executor);
        } catch (RejectedExecutionException saturated) {
            log.warn("write {} answered without reading: every answer thread is busy and the queue full (or closed)",
                    eventId);
            return CompletableFuture.completedFuture(answer(s, ifMatch, outcome, false));
        }
        // The deadline runs on CompletableFuture's own timer, as the outcome waits' do, and its answer reads nothing.
        return answered.orTimeout(budget, TimeUnit.MILLISECONDS).exceptionallyCompose(failed -> {
            if (!(failed instanceof TimeoutException)) {
                return CompletableFuture.failedFuture(failed);
            }
            log.warn("write {} answered without reading: the read took longer than the {} ms left before the request"
                    + " timeout", eventId, budget);
            return CompletableFuture.completedFuture(answer(s, ifMatch, outcome, false));
        });
    }

    /** Whether answering the outcome reads PostgreSQL or Redis (the entity, a conflicting entity, a stored reason). */
    private static boolean reads(WriteEnvelope e, WriteOutcome o) {
        Status status = status(o);
        return needsStoredReason(o) || status == Status.APPLIED && !appends(e.type())
                || status == Status.CONFLICT && !creates(e.type());
    }

    private static Status status(WriteOutcome o) {
        return o.status() == Status.DUPLICATE ? o.originalOutcome() : o.status();
    }

    /** A duplicate carries the first delivery's outcome class; its reason is kept in processed_events. */
    private static boolean needsStoredReason(WriteOutcome o) {
        return o.status() == Status.DUPLICATE && o.originalOutcome() != Status.APPLIED && o.reason() == null;
    }

    /** @param read whether the database and Redis may be read; if not, the answer comes from the outcome alone */
    private ResponseEntity<Object> answer(Submission s, boolean ifMatch, Optional<WriteOutcome> outcome, boolean read) {
        WriteEnvelope e = s.envelope();
        HttpHeaders headers = new HttpHeaders();
        headers.add(HttpHeaders.LINK, "<" + WRITES_PATH + e.eventId() + ">; rel=\"write-outcome\"");
        if (!s.waitFor().isZero()) {
            headers.add("Preference-Applied", "wait=" + s.waitFor().toSeconds());
        }
        if (outcome.isEmpty()) {
            headers.setLocation(URI.create(WRITES_PATH + e.eventId()));
            return ResponseEntity.accepted().headers(headers).body(pending(e));
        }
        WriteOutcome o = outcome.get();
        Status status = status(o);
        String reason = o.reason();
        if (read && needsStoredReason(o)) {
            // Not being able to read it is no reason to answer a known outcome with a retryable 5xx.
            try {
                var stored = outcomes.find(e.eventId());
                if (stored.isPresent()) {
                    status = stored.get().status();
                    reason = stored.get().reason();
                }
            } catch (DataAccessException failed) {
                log.warn("write {} was a duplicate of a {} write whose reason could not be read; answered without it:"
                        + " {}", e.eventId(), status, failed.toString());
            }
        }
        if (status == null || status == Status.DUPLICATE) {
            headers.setLocation(URI.create(WRITES_PATH + e.eventId()));
            return ResponseEntity.accepted().headers(headers).body(pending(e));
        }
        return switch (status) {
            case APPLIED, DUPLICATE -> appends(e.type()) ? appended(e, o, headers)
                    : read ? applied(e, o, headers) : appliedUnread(e, o, headers);
            case CONFLICT -> throw conflict(e, ifMatch, o.version(), reason, read);
            case REJECTED -> throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "rejected",
                    reasonOr(reason, "the write breaks a rule")).with("eventId", e.eventId());
        };
    }

    private ResponseEntity<Object> applied(WriteEnvelope e, WriteOutcome o, HttpHeaders headers) {
        record Read(Object entity, long version) {
        }
        UUID id = e.entityId();
        boolean agent = e.type().entityType() == EntityType.AGENT;
        boolean created = creates(e.type());
        Optional<Read> read;
        try {
            read = agent ? reads.refreshAgent(id).map(a -> new Read(a, a.version()))
                    : reads.refreshPrd(id).map(p -> new Read(p, p.version()));
        } catch (DataAccessException failed) {
            // The write is committed: a 5xx ("retry shortly") would have an unkeyed create or append applied twice.
            log.warn("write {} applied, but {} {} could not be read back; answered 202 with its outcome: {}",
                    e.eventId(), agent ? "agent" : "PRD", id, failed.getMostSpecificCause().getMessage());
            return appliedUnread(e, o, headers);
        }
        Read r = read.orElseThrow(() -> ApiProblem.notFound((agent ? "agent " : "PRD ") + id));
        headers.setETag(Preconditions.etag(r.version()));
        if (created) {
            headers.setLocation(URI.create("/api/v1/" + (agent ? "agents/" : "prds/") + id));
        }
        return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).headers(headers).body(r.entity());
    }

    /** An applied write whose entity could not be read: 202 with what the outcome says, as {@code /writes} would. */
    private static ResponseEntity<Object> appliedUnread(WriteEnvelope e, WriteOutcome o, HttpHeaders headers) {
        headers.setLocation(URI.create(WRITES_PATH + e.eventId()));
        if (o.version() != null) {
            headers.setETag(Preconditions.etag(o.version()));
        }
        return ResponseEntity.accepted().headers(headers).body(appliedSummary(e, o));
    }

    /**
     * An applied history append: 200 with what the outcome says, without reading. The entry is a row of its own and
     * the agent's row, version included, is as it was, so there is no entity to move forward in Redis and no list
     * page it changes; history pages are read from the database, which holds the entry once it is APPLIED. Answered
     * as the other writes are, each append read the whole agent (its state up to about 1 MB), rewrote its cache
     * entry, ended the list epoch and sent the agent back, which says nothing of the entry. 200, not 201: the entry
     * has no URL of its own for a {@code Location} (it is found in the history pages by its {@code eventId}). No
     * {@code ETag}: the outcome's version is the agent's when the entry was appended, and a retry (keyed, or a
     * duplicate) answered from it after the agent changed would hand the client a tag its next If-Match fails on.
     */
    private static ResponseEntity<Object> appended(WriteEnvelope e, WriteOutcome o, HttpHeaders headers) {
        return ResponseEntity.ok().headers(headers).body(appliedSummary(e, o));
    }

    /** An applied write as its outcome tells it: the summary and, when the outcome has one, the version. */
    private static Map<String, Object> appliedSummary(WriteEnvelope e, WriteOutcome o) {
        Map<String, Object> body = summary(e, Status.APPLIED.name());
        if (o.version() != null) {
            body.put("version", o.version());
        }
        return body;
    }

    /**
     * A CONFLICT outcome does not say whether the version differed or the entity is deleted (the contract
     * keeps that in the free-text reason), so the entity is read from the primary, where the worker
     * committed it before publishing the outcome. Deletion is final: deleted now means deleted then, or
     * deleted since, and either way no retry can succeed. A create's conflict is about its id, never this.
     * Without {@code read} (no answer thread free in time) it is answered from the outcome, as when the read fails.
     */
    private ApiProblem conflict(WriteEnvelope e, boolean ifMatch, Long version, String reason, boolean read) {
        record Current(long version, Instant deletedAt) {
        }
        UUID id = e.entityId();
        boolean agent = e.type().entityType() == EntityType.AGENT;
        Current now;
        try {
            now = creates(e.type()) || !read ? null : agent
                    ? reads.currentAgent(id).map(a -> new Current(a.version(), a.deletedAt())).orElse(null)
                    : reads.currentPrd(id).map(p -> new Current(p.version(), p.deletedAt())).orElse(null);
        } catch (DataAccessException failed) {
            // The outcome is known; without the read a deleted entity is answered as a conflict (409/412),
            // whose refetch then answers 410. A 503 would invite a retry of a write that cannot succeed.
            log.warn("write {} conflicted, but {} {} could not be read; answered from its outcome: {}",
                    e.eventId(), agent ? "agent" : "PRD", id, failed.getMostSpecificCause().getMessage());
            now = null;
        }
        boolean deleted = now != null && now.deletedAt() != null;
        return Preconditions.writeConflict((agent ? "agent " : "PRD ") + id, ifMatch, deleted ? now.version() : version,
                deleted ? now.deletedAt() : null, reason).with("eventId", e.eventId());
    }

    private static boolean creates(CommandType type) {
        return type == CommandType.AGENT_CREATE || type == CommandType.PRD_CREATE;
    }

    /** A write that adds a history row and leaves its agent's row, and its version, as they were. */
    private static boolean appends(CommandType type) {
        return type == CommandType.AGENT_HISTORY_APPEND;
    }

    private static Map<String, Object> pending(WriteEnvelope e) {
        return summary(e, "PENDING");
    }

    private static Map<String, Object> summary(WriteEnvelope e, String status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventId", e.eventId());
        body.put("entityId", e.entityId());
        body.put("type", e.type().wireName());
        body.put("status", status);
        return body;
    }

    private static String reasonOr(String reason, String fallback) {
        return reason == null || reason.isBlank() ? fallback : reason;
    }
}
