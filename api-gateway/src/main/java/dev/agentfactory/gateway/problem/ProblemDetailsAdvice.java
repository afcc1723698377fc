package dev.agentfactory.gateway.problem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.exc.StreamConstraintsException;

/**
 * Every error as RFC 9457 problem details, never a stack trace: Spring MVC's own exceptions through
 * {@link ResponseEntityExceptionHandler}, the gateway's through the handlers below, and anything
 * unexpected as a bare 500 (logged here with its stack trace, not sent).
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(BodyTooLargeException.class)
    ProblemDetail tooLarge(BodyTooLargeException e) {
        return ProblemResponses.problem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", e.getMessage());
    }

    /**
     * A body without a length (chunked) that grows past the limit fails while Jackson reads it, and arrives
     * wrapped (JacksonIOException in HttpMessageNotReadableException): still 413, not "Failed to read request".
     * A body past one of the reader's own limits (more than 500 levels of nesting, a number of more than 1,000
     * digits) is 400 naming that limit, not the same bare "Failed to read request".
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(e);
        if (cause instanceof BodyTooLargeException tooLarge) {
            return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(tooLarge(tooLarge));
        }
        if (cause instanceof StreamConstraintsException limit) {
            return ResponseEntity.badRequest().body(ProblemResponses.problem(HttpStatus.BAD_REQUEST, "bad-body",
                    "the request body is beyond what the gateway reads: " + limit.getOriginalMessage()));
        }
        return super.handleHttpMessageNotReadable(e, headers, status, request);
    }

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<ProblemDetail> api(ApiProblem e) {
        return ResponseEntity.status(e.problem().getStatus()).headers(e.headers()).body(e.problem());
    }

    /**
     * A request the database refused for its content (a value out of range, too long, with characters it
     * cannot store...) is the client's 400: retrying it can never succeed. Anything else, a connection,
     * resource, timeout or serialization failure or one not recognised, is PostgreSQL or Redis unavailable
     * (after the store's own retries): 503, the client may retry, nothing was lost. Neither answer carries
     * the driver's message, which may quote SQL or the values.
     */
    @ExceptionHandler(DataAccessException.class)
    ResponseEntity<ProblemDetail> dataAccess(DataAccessException e) {
        var refused = DatabaseRefusal.reason(e);
        if (refused.isPresent()) {
            log.info("the database refused the request's input (SQLSTATE {}): {}", DatabaseRefusal.sqlState(e),
                    e.getMostSpecificCause().getMessage());
            return ResponseEntity.badRequest().body(ProblemResponses.problem(HttpStatus.BAD_REQUEST, "bad-request",
                    refused.get()));
        }
        log.warn("a dependency is unavailable: {}", e.getMostSpecificCause().getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "2")
                .body(ProblemResponses.problem(HttpStatus.SERVICE_UNAVAILABLE, "dependency-unavailable",
                        "the database or cache is unavailable; retry shortly"));
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("unhandled error", e);
        return ProblemResponses.problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal",
                "the gateway failed to handle the request; it has been logged");
    }
}
