package dev.agentfactory.store.agent;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.agentfactory.store.Change;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.WriteResult;

/**
 * Agents, their versions and history. Reads serve the gateway; the single-entity writes serve the
 * in-memory compatibility layer and the importer (the worker writes set-wise with its own SQL).
 * Lists are newest first by {@code (updated_at, id)} and skip deleted agents; get by id or slug
 * also returns a deleted agent, with {@code deletedAt} set.
 */
public interface AgentRepository {

    Optional<Agent> findById(UUID id);

    Optional<Agent> findBySlug(String slug);

    /** One page of live agents, optionally of one status, after {@code cursor} (null: first page). */
    Page<Agent> list(AgentStatus status, String cursor, int limit);

    /** One page of live agents with the list filters (updated since, name match, order), after {@code cursor}. */
    Page<Agent> list(AgentStatus status, dev.agentfactory.store.ListFilter filter, String cursor, int limit);

    /** Version snapshots, newest first, older than the cursor. */
    Page<AgentVersion> versions(UUID agentId, String cursor, int limit);

    /** The agent as it was at {@code version}. */
    Optional<AgentVersion> version(UUID agentId, long version);

    /** History entries in sequence order, after {@code afterSeq} (0: from the start). */
    Page<HistoryEntry> history(UUID agentId, long afterSeq, int limit);

    /** Inserts version 1 with its snapshot and audit entry; a replay of the same create is {@code Stale}. */
    WriteResult<Agent> create(Agent agent, Change change);

    /**
     * Replaces the agent with {@code next}, which must be the version right after the stored one, and
     * records its snapshot and audit entry. Soft delete is an update that sets {@code deletedAt}.
     */
    WriteResult<Agent> update(Agent next, Change change);

    /** Appends a history entry (no version bump); {@code NotFound} for an unknown agent. */
    WriteResult<HistoryEntry> appendHistory(UUID agentId, HistoryEntry.Kind kind, Map<String, Object> entry,
                                            Instant recordedAt, Change change);
}
