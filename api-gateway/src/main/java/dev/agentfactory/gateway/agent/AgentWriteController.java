package dev.agentfactory.gateway.agent;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
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

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.gateway.writes.WriteAnswers;
import dev.agentfactory.gateway.writes.WriteHttp;

/**
 * Agent writes, each published as one command: create, JSON merge patch, state put, history append and
 * (soft) delete. {@code 202 Accepted} by default; with {@code Prefer: wait=N} the synchronous answer.
 */
@RestController
@RequestMapping("/api/v1/agents")
class AgentWriteController {

    static final String MERGE_PATCH = "application/merge-patch+json";

    private final WriteHttp http;
    private final WriteAnswers answers;

    AgentWriteController(WriteHttp http, WriteAnswers answers) {
        this.http = http;
        this.answers = answers;
    }

    @PostMapping
    CompletableFuture<ResponseEntity<Object>> create(@RequestBody JsonNode body, HttpServletRequest req,
                                                     @AuthenticationPrincipal Jwt jwt) {
        return answers.write(http.request(CommandType.AGENT_CREATE, null, body, req), WriteHttp.actor(jwt));
    }

    @PatchMapping(path = "/{id}", consumes = {MERGE_PATCH, "application/json"})
    CompletableFuture<ResponseEntity<Object>> update(@PathVariable UUID id, @RequestBody JsonNode patch,
                                                     HttpServletRequest req, @AuthenticationPrincipal Jwt jwt) {
        return answers.write(http.request(CommandType.AGENT_UPDATE, id, patch, req), WriteHttp.actor(jwt));
    }

    /** The body is the new state object itself. */
    @PutMapping("/{id}/state")
    CompletableFuture<ResponseEntity<Object>> putState(@PathVariable UUID id, @RequestBody JsonNode state,
                                                       HttpServletRequest req, @AuthenticationPrincipal Jwt jwt) {
        var payload = JsonNodeFactory.instance.objectNode().set("state", state);
        return answers.write(http.request(CommandType.AGENT_STATE_PUT, id, payload, req), WriteHttp.actor(jwt));
    }

    /**
     * An applied append is answered with its outcome, not the agent: it adds a history row and leaves the agent,
     * version included, as it was (reading it back cost a read of up to about 1 MB, a cache write and the agent
     * list cache's epoch, and told the client nothing of its entry).
     */
    @PostMapping("/{id}/history")
    @ApiResponse(responseCode = "200", description = "with Prefer: wait, the entry is appended: {eventId, entityId,"
            + " type, status: APPLIED, version}, the agent's version at the append (which it left unchanged), no ETag;"
            + " the entry is in GET /api/v1/agents/{id}/history at once")
    @ApiResponse(responseCode = "202", description = "accepted, not processed yet (no Prefer: wait, or the wait ran"
            + " out): the outcome will be at Location (/api/v1/writes/{eventId})")
    CompletableFuture<ResponseEntity<Object>> appendHistory(@PathVariable UUID id, @RequestBody JsonNode entry,
                                                            HttpServletRequest req, @AuthenticationPrincipal Jwt jwt) {
        return answers.write(http.request(CommandType.AGENT_HISTORY_APPEND, id, entry, req), WriteHttp.actor(jwt));
    }

    @DeleteMapping("/{id}")
    CompletableFuture<ResponseEntity<Object>> delete(@PathVariable UUID id, HttpServletRequest req,
                                                     @AuthenticationPrincipal Jwt jwt) {
        return answers.write(http.request(CommandType.AGENT_DELETE, id, JsonNodeFactory.instance.objectNode(), req),
                WriteHttp.actor(jwt));
    }
}
