package dev.agentfactory.gateway.problem;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A failure the gateway answers on purpose (bad cursor, unknown entity, failed precondition...), thrown
 * from any layer and turned into problem details by the advice.
 */
public class ApiProblem extends RuntimeException {

    private final transient ProblemDetail problem;
    private final transient HttpHeaders headers = new HttpHeaders();

    public ApiProblem(HttpStatus status, String type, String detail) {
        super(detail);
        this.problem = ProblemResponses.problem(status, type, detail);
    }

    public ProblemDetail problem() {
        return problem;
    }

    /** Headers answered with the problem (e.g. Location of a write whose fate is not known yet). */
    public HttpHeaders headers() {
        return headers;
    }

    public static ApiProblem badRequest(String type, String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, type, detail);
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(HttpStatus.NOT_FOUND, "not-found", what + " not found");
    }

    /** Adds a member to the problem (e.g. currentVersion on a conflict). */
    public ApiProblem with(String name, Object value) {
        problem.setProperty(name, value);
        return this;
    }
}
