package dev.agentfactory.store.prd;

import java.time.Instant;
import java.util.UUID;

/** That a PRD specifies an agent, in a role ({@code factory.prd_agents}). */
public record PrdAgentLink(UUID prdId, UUID agentId, String role, Instant linkedAt, String linkedBy) {
}
