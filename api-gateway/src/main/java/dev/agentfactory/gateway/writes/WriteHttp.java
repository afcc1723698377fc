package dev.agentfactory.gateway.writes;

import java.time.Duration;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.gateway.http.Preconditions;
import dev.agentfactory.gateway.problem.ApiProblem;

/**
 * Reads what every write endpoint shares from the HTTP request: the JSON object body, {@code If-Match},
 * {@code Prefer: wait}, {@code Idempotency-Key}, and the actor (the token's subject).
 */
@Component
public class WriteHttp {

    private final Duration maxWait;

    WriteHttp(GatewayProperties props) {
        this.maxWait = props.maxWait();
    }

    public WriteRequest request(CommandType type, UUID entityId, JsonNode body, HttpServletRequest http) {
        if (body == null || !body.isObject()) {
            throw ApiProblem.badRequest("bad-body", "the request body must be a JSON object");
        }
        String ifMatch = http.getHeader("If-Match");
        // Checked before parsing: "*" means "must exist", which a create's new entity never does.
        if (ifMatch != null && !ifMatch.isBlank()
                && (type == CommandType.AGENT_CREATE || type == CommandType.PRD_CREATE)) {
            throw ApiProblem.badRequest("bad-if-match", "If-Match does not apply to a create: there is no version yet");
        }
        Long expected = Preconditions.expectedVersion(ifMatch);
        return new WriteRequest(type, entityId, expected,
                (ObjectNode) body, http.getHeader("Idempotency-Key"), Preconditions.wait(http.getHeader("Prefer"), maxWait),
                http.getMethod(), http.getRequestURI());
    }

    /** Who the audit log names: the token's subject, or its role for subject-less service tokens. */
    public static String actor(Jwt jwt) {
        String sub = jwt.getSubject();
        String actor = sub != null && !sub.isBlank() ? sub : "role:" + jwt.getClaimAsString("role");
        return actor.length() > 200 ? actor.substring(0, 200) : actor;
    }
}
