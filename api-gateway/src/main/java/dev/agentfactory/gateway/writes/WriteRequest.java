package dev.agentfactory.gateway.writes;

import java.time.Duration;
import java.util.UUID;

import tools.jackson.databind.node.ObjectNode;

import dev.agentfactory.contracts.CommandType;

/**
 * One write as the HTTP layer hands it over: the command, its target (null for a create: the gateway
 * names the new entity), the headers that shape it, and the method and path that, with the payload,
 * identify the request for idempotency.
 */
public record WriteRequest(CommandType type, UUID entityId, Long expectedVersion, ObjectNode payload,
                           String idempotencyKey, Duration waitFor, String method, String path) {

    public boolean creates() {
        return type == CommandType.AGENT_CREATE || type == CommandType.PRD_CREATE;
    }
}
