package dev.agentfactory.store.prd;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.agentfactory.store.Change;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.WriteResult;

/**
 * PRDs, their versions and the agents they specify. Same conventions as {@code AgentRepository}:
 * newest-first keyset lists of live PRDs, version-guarded single-entity writes, and the lifecycle
 * rule of {@link PrdStatus} enforced on every update (a forbidden move is {@code Rejected}).
 */
public interface PrdRepository {

    Optional<Prd> findById(UUID id);

    Optional<Prd> findBySlug(String slug);

    Page<Prd> list(PrdStatus status, String cursor, int limit);

    /** One page of live PRDs with the list filters (updated since, title match, order), after {@code cursor}. */
    Page<Prd> list(PrdStatus status, dev.agentfactory.store.ListFilter filter, String cursor, int limit);

    Page<PrdVersion> versions(UUID prdId, String cursor, int limit);

    Optional<PrdVersion> version(UUID prdId, long version);

    WriteResult<Prd> create(Prd prd, Change change);

    WriteResult<Prd> update(Prd next, Change change);

    /** The agents a PRD specifies, by agent id. */
    List<PrdAgentLink> links(UUID prdId);

    /**
     * One page of the PRDs that specify an agent, by PRD id, after {@code cursor} (null: the first). Paged where a
     * PRD's own links are not: those are bounded by the PRD's size limit, an agent's by nothing.
     */
    Page<PrdAgentLink> linksOfAgent(UUID agentId, String cursor, int limit);

    /** Links an agent in a role; an existing link is {@code Stale}, an unknown PRD or agent {@code NotFound}. */
    WriteResult<PrdAgentLink> link(PrdAgentLink link, Change change);

    /** Removes a link; {@code NotFound} when there was none. */
    WriteResult<PrdAgentLink> unlink(UUID prdId, UUID agentId, Change change);
}
