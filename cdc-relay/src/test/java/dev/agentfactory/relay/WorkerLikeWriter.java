package dev.agentfactory.relay;

import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.postgresql.PGConnection;

/**
 * Writes the factory tables the way the ingest worker does: set-wise statements in one transaction per
 * batch, each entity change bumping {@code version} by one with a snapshot row, a processed_events row and an
 * audit_log row; history appended with COPY (many rows sharing one WAL record's LSN). Counts row changes.
 */
public final class WorkerLikeWriter {

    private static final String INSERT_AGENTS = """
            INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version,
                                        created_at, created_by, updated_at, updated_by)
            SELECT id, 'a-' || id, 'agent ' || left(id::text, 8), 'planner', 'active', '{"model":"m1"}',
                   jsonb_build_object('notes', repeat(md5(id::text), 40)), '{}', 1, now(), 'it', now(), 'it'
            FROM unnest(?::uuid[]) AS id""";
    private static final String UPDATE_AGENTS = """
            UPDATE factory.agents SET version = version + 1, updated_at = now(), updated_by = 'it-update',
                   metadata = metadata || jsonb_build_object('round', version + 1)
            WHERE id = ANY (?::uuid[]) AND deleted_at IS NULL""";
    private static final String PUT_STATE = """
            UPDATE factory.agents SET version = version + 1, updated_at = now(), updated_by = 'it-state',
                   state = jsonb_build_object('notes', ?::text)
            WHERE id = ANY (?::uuid[]) AND deleted_at IS NULL""";
    private static final String DELETE_AGENTS = """
            UPDATE factory.agents SET version = version + 1, deleted_at = now(), updated_at = now(),
                   updated_by = 'it-delete' WHERE id = ANY (?::uuid[]) AND deleted_at IS NULL""";
    private static final String INSERT_PRDS = """
            INSERT INTO factory.prds (id, slug, title, body, status, metadata, owner, version,
                                      created_at, created_by, updated_at, updated_by)
            SELECT id, 'p-' || id, 'prd ' || left(id::text, 8), body, 'draft', '{}', 'it', 1, now(), 'it', now(), 'it'
            FROM unnest(?::uuid[], ?::text[]) AS t(id, body)""";
    private static final String ADVANCE_PRDS = """
            UPDATE factory.prds SET version = version + 1, updated_at = now(), updated_by = 'it-advance',
                   status = CASE status WHEN 'draft' THEN 'review' WHEN 'review' THEN 'approved' ELSE status END
            WHERE id = ANY (?::uuid[]) AND deleted_at IS NULL""";
    private static final String BUMP_PRDS = """
            UPDATE factory.prds SET version = version + 1, updated_at = now(), updated_by = 'it-link'
            WHERE id = ANY (?::uuid[])""";
    private static final String LINK = """
            INSERT INTO factory.prd_agents (prd_id, agent_id, role, linked_at, linked_by)
            SELECT p, a, 'implementer', now(), 'it' FROM unnest(?::uuid[], ?::uuid[]) AS t(p, a)
            ON CONFLICT DO NOTHING""";
    private static final String UNLINK = """
            DELETE FROM factory.prd_agents USING unnest(?::uuid[], ?::uuid[]) AS t(p, a)
            WHERE prd_id = p AND agent_id = a""";
    /**
     * An operator's purge, which the worker never does: the agents' links, history and versions, then their rows,
     * and their audit rows (which hold the commands' payloads), as docs/runbooks.md says.
     */
    private static final List<String> PURGE_AGENTS = List.of(
            "DELETE FROM factory.audit_log WHERE entity_type = 'agent' AND entity_id = ANY (?::uuid[])",
            "DELETE FROM factory.prd_agents WHERE agent_id = ANY (?::uuid[])",
            "DELETE FROM factory.agent_history WHERE agent_id = ANY (?::uuid[])",
            "DELETE FROM factory.agent_versions WHERE agent_id = ANY (?::uuid[])",
            "DELETE FROM factory.agents WHERE id = ANY (?::uuid[])");
    /** Snapshot, dedup record and audit entry of the version each listed entity now has. */
    private static final String RECORD_VERSIONS = """
            WITH v AS (
                INSERT INTO factory.%1$s_versions (%1$s_id, version, change_type, snapshot, actor, event_id)
                SELECT e.id, e.version, ?, %2$s, e.updated_by, gen_random_uuid()
                FROM factory.%1$ss e WHERE e.id = ANY (?::uuid[])
                RETURNING %1$s_id AS id, version, change_type, actor, event_id),
            p AS (
                INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)
                SELECT event_id, '%1$s', id, '%1$s.' || change_type, 'APPLIED', version FROM v)
            INSERT INTO factory.audit_log (entity_type, entity_id, version, command_type, actor, event_id, occurred_at)
            SELECT '%1$s', id, version, '%1$s.' || change_type, actor, event_id, now() FROM v""";

    /**
     * A PRD version's snapshot as the worker writes it (PrdRow.snapshot): the row plus {@code agents}, the links at
     * this version, from which the relay tells which version a link or unlink event belongs to.
     */
    private static final String PRD_SNAPSHOT = "to_jsonb(e) || jsonb_build_object('agents', coalesce((SELECT "
            + "jsonb_agg(jsonb_build_object('agent_id', l.agent_id, 'role', l.role)) FROM factory.prd_agents l "
            + "WHERE l.prd_id = e.id), '[]'::jsonb))";

    private final Connection c;
    private final Random random = new Random(42);
    public long rowChanges;

    public WorkerLikeWriter(Connection c) throws SQLException {
        this.c = c;
        c.setAutoCommit(false);
    }

    public List<UUID> createAgents(int n) throws SQLException {
        List<UUID> ids = ids(n);
        createAgents(ids);
        return ids;
    }

    /** Creates agents under the given ids (ids an operator purged, say). */
    public void createAgents(List<UUID> ids) throws SQLException {
        run(INSERT_AGENTS, ids);
        versions("agent", "create", ids);
        c.commit();
    }

    public void purgeAgents(List<UUID> ids) throws SQLException {
        for (String sql : PURGE_AGENTS) {
            run(sql, ids);
        }
        c.commit();
    }

    /** As {@code ops prune-outcomes} does: deletes dedup records, here the first {@code n} in key order. */
    public void pruneOutcomes(int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM factory.processed_events WHERE event_id IN "
                + "(SELECT event_id FROM factory.processed_events ORDER BY event_id LIMIT ?)")) {
            ps.setInt(1, n);
            rowChanges += ps.executeUpdate();
        }
        c.commit();
    }

    public void updateAgents(List<UUID> ids) throws SQLException {
        run(UPDATE_AGENTS, ids);
        versions("agent", "update", ids);
        c.commit();
    }

    /** An {@code agent.state.put}: the agents' state becomes {@code {"notes": notes}}. */
    public void putState(List<UUID> ids, String notes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PUT_STATE)) {
            ps.setString(1, notes);
            ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
            rowChanges += ps.executeUpdate();
        }
        versions("agent", "state", ids);
        c.commit();
    }

    public void deleteAgents(List<UUID> ids) throws SQLException {
        run(DELETE_AGENTS, ids);
        versions("agent", "delete", ids);
        c.commit();
    }

    /** COPY: PostgreSQL logs the rows of one buffer as one multi-insert record, all at one LSN. */
    public void appendHistory(List<UUID> agents, int perAgent) throws Exception {
        StringBuilder rows = new StringBuilder();
        for (UUID a : agents) {
            for (int i = 0; i < perAgent; i++) {
                rows.append(a).append("\tlearning\t{\"step\": ").append(i).append("}\t2026-01-01 00:00:00+00\tit\t")
                        .append(UUID.randomUUID()).append('\n');
            }
        }
        rowChanges += c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY factory.agent_history (agent_id, kind, entry, recorded_at, actor, event_id) FROM STDIN",
                new StringReader(rows.toString()));
        c.commit();
    }

    /** PRDs with bodies large enough to be stored out of line (TOAST). */
    public List<UUID> createPrds(int n, int bodyChars) throws SQLException {
        List<UUID> ids = ids(n);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder("# PRD\n");
            while (b.length() < bodyChars) {
                b.append(Long.toString(random.nextLong(), 36));
            }
            bodies.add(b.toString());
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_PRDS)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            ps.setArray(2, c.createArrayOf("text", bodies.toArray()));
            rowChanges += ps.executeUpdate();
        }
        versions("prd", "create", ids);
        c.commit();
        return ids;
    }

    /** Status changes that leave the TOASTed body untouched. */
    public void advancePrds(List<UUID> ids) throws SQLException {
        run(ADVANCE_PRDS, ids);
        versions("prd", "update", ids);
        c.commit();
    }

    public void link(List<UUID> prds, List<UUID> agents, boolean unlink) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(unlink ? UNLINK : LINK)) {
            ps.setArray(1, c.createArrayOf("uuid", prds.toArray()));
            ps.setArray(2, c.createArrayOf("uuid", agents.toArray()));
            rowChanges += ps.executeUpdate();
        }
        List<UUID> distinct = prds.stream().distinct().toList();
        run(BUMP_PRDS, distinct);
        versions("prd", unlink ? "unlink" : "link", distinct);
        c.commit();
    }

    private void versions(String entity, String changeType, List<UUID> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_VERSIONS.formatted(entity, entity.equals("prd") ? PRD_SNAPSHOT : "to_jsonb(e)"))) {
            ps.setString(1, changeType);
            ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
            rowChanges += 3L * ps.executeUpdate();
        }
    }

    private void run(String sql, List<UUID> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array array = c.createArrayOf("uuid", ids.toArray());
            ps.setArray(1, array);
            rowChanges += ps.executeUpdate();
        }
    }

    private static List<UUID> ids(int n) {
        List<UUID> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }
}
