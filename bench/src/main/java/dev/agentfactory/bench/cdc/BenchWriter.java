package dev.agentfactory.bench.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Agent writes shaped like the ingest worker's: one transaction per batch, each agent's version bumped
 * by one with its snapshot, processed_events and audit_log rows.
 */
final class BenchWriter {

    static final String SEED = """
            INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version,
                                        created_at, created_by, updated_at, updated_by)
            SELECT id, 'a-' || id, 'agent', 'planner', 'active', '{}', '{}', '{}', 1, now(), 'bench', now(), 'bench'
            FROM unnest(?::uuid[]) AS id""";
    static final String UPDATE = """
            UPDATE factory.agents SET version = version + 1, updated_at = now(), updated_by = 'bench',
                   state = jsonb_build_object('step', version + 1)
            WHERE id = ANY (?::uuid[]) RETURNING id, version""";
    static final String RECORD_VERSIONS = """
            WITH v AS (
                INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id)
                SELECT e.id, e.version, ?, to_jsonb(e), e.updated_by, gen_random_uuid()
                FROM factory.agents e WHERE e.id = ANY (?::uuid[])
                RETURNING agent_id AS id, version, change_type, actor, event_id),
            p AS (
                INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)
                SELECT event_id, 'agent', id, 'agent.' || change_type, 'APPLIED', version FROM v)
            INSERT INTO factory.audit_log (entity_type, entity_id, version, command_type, actor, event_id, occurred_at)
            SELECT 'agent', id, version, 'agent.' || change_type, actor, event_id, now() FROM v""";

    /** The first agent of a committed batch and the version it now has. */
    record Written(UUID id, long version) {
    }

    private final Connection c;

    BenchWriter(Connection c) throws SQLException {
        this.c = c;
        c.setAutoCommit(false);
    }

    List<UUID> seed(int n) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID());
        }
        try (PreparedStatement ps = c.prepareStatement(SEED)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            ps.executeUpdate();
        }
        versions("create", ids);
        c.commit();
        return ids;
    }

    Written update(List<UUID> ids) throws SQLException {
        Written first = null;
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = (UUID) rs.getObject(1);
                    if (id.equals(ids.get(0))) {
                        first = new Written(id, rs.getLong(2));
                    }
                }
            }
        }
        versions("update", ids);
        c.commit();
        return first;
    }

    private void versions(String changeType, List<UUID> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_VERSIONS)) {
            ps.setString(1, changeType);
            ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
            ps.executeUpdate();
        }
    }
}
