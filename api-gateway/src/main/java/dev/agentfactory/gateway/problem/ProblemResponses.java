package dev.agentfactory.gateway.problem;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes RFC 9457 problem details from places that run before Spring MVC (the security filters, the
 * body-size filter), so every error the gateway gives has one shape. The detail never echoes a token.
 */
@Component
public class ProblemResponses {

    /** Base of the {@code type} URIs; each problem type is documented in the OpenAPI description. */
    public static final String TYPE_BASE = "https://agentfactory.dev/problems/";

    private final JsonMapper json;

    public ProblemResponses(JsonMapper json) {
        this.json = json;
    }

    public static ProblemDetail problem(HttpStatus status, String type, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create(TYPE_BASE + type));
        return p;
    }

    public void unauthorized(HttpServletRequest req, HttpServletResponse res, AuthenticationException e)
            throws IOException {
        res.setHeader("WWW-Authenticate", "Bearer");
        write(req, res, problem(HttpStatus.UNAUTHORIZED, "unauthorized",
                "a valid bearer token is required (missing, expired, wrongly signed or for another audience)"));
    }

    public void forbidden(HttpServletRequest req, HttpServletResponse res, AccessDeniedException e)
            throws IOException {
        write(req, res, problem(HttpStatus.FORBIDDEN, "forbidden", "the token's role may not do this"));
    }

    public void write(HttpServletRequest req, HttpServletResponse res, ProblemDetail problem) throws IOException {
        try {
            problem.setInstance(URI.create(req.getRequestURI()));
        } catch (IllegalArgumentException e) {
            // a URI the firewall refused may not even parse; the problem is still answered, without instance
        }
        res.setStatus(problem.getStatus());
        res.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(res.getOutputStream(), problem);
    }
}
