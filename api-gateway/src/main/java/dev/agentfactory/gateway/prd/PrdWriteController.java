package dev.agentfactory.gateway.prd;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.writes.WriteAnswers;
import dev.agentfactory.gateway.writes.WriteHttp;

/** PRD writes: create, JSON merge patch, (soft) delete, and linking or unlinking an agent. */
@RestController
@RequestMapping("/api/v1/prds")
class PrdWriteController {

    private final WriteHttp http;
    private final WriteAnswers answers;

    PrdWriteController(WriteHttp http, WriteAnswers answers) {
        this.http = http;
        this.answers = answers;
    }

    @PostMapping
    CompletableFuture<ResponseEntity<Object>> create(@RequestBody JsonNode body, HttpServletRequest req,
                                                     @AuthenticationPrincipal Jwt jwt) {
        return answers.write(http.request(CommandType.PRD_CREATE, null, body, req), WriteHttp.actor(jwt));
    }

    @PatchMapping(path = "/{id}", consumes = {"application/merge-patch+json", "application/json"})
    CompletableFuture<ResponseEntity<Object>> update(@PathVariable UUID id, @RequestBody JsonNode patch,
                                                     HttpServletRequest req, @AuthenticationPrincipal Jwt jwt) {
        return answers.write(http.request(CommandType.PRD_UPDATE, id, patch, req), WriteHttp.actor(jwt));
    }

    @DeleteMapping("/{id}")
    CompletableFuture<ResponseEntity<Object>> delete(@PathVariable UUID id, HttpServletRequest req,
                                                     @AuthenticationPrincipal Jwt jwt) {
        return answers.write(http.request(CommandType.PRD_DELETE, id, JsonNodeFactory.instance.objectNode(), req),
                WriteHttp.actor(jwt));
    }

    /** Links an agent; the optional body {@code {"role": "..."}} names its role. */
    @PutMapping("/{id}/agents/{agentId}")
    CompletableFuture<ResponseEntity<Object>> link(@PathVariable UUID id, @PathVariable UUID agentId,
                                                   @RequestBody(required = false) JsonNode body, HttpServletRequest req,
                                                   @AuthenticationPrincipal Jwt jwt) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        if (body != null && !body.isNull()) {
            if (!body.isObject()) {
                throw ApiProblem.badRequest("bad-body", "the request body must be a JSON object");
            }
            payload.setAll((ObjectNode) body);
        }
        payload.put("agentId", agentId.toString());
        return answers.write(http.request(CommandType.PRD_LINK_AGENT, id, payload, req), WriteHttp.actor(jwt));
    }

    @DeleteMapping("/{id}/agents/{agentId}")
    CompletableFuture<ResponseEntity<Object>> unlink(@PathVariable UUID id, @PathVariable UUID agentId,
                                                     HttpServletRequest req, @AuthenticationPrincipal Jwt jwt) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("agentId", agentId.toString());
        return answers.write(http.request(CommandType.PRD_UNLINK_AGENT, id, payload, req), WriteHttp.actor(jwt));
    }
}
