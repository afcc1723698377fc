package dev.agentfactory.ops.replay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.store.replica.EntityPurge;

/**
 * An operator's purge (a hard delete of an agent or PRD, docs/runbooks.md) replayed ({@link EntityPurge}). The purge
 * deleted the entity's audit rows (they hold the commands' payloads), links, history and version rows, then the entity; the
 * relay publishes no audit row changes, so the entity's delete stands for the audit rows' deletes too. The relay publishes the link and history deletes
 * as events of their own, but not the version rows' (version rows reach the audit topics only as the versions
 * they record, each once), so the entity's delete event stands for them: its versions, and whatever history
 * and links are still there, are deleted first, children before the entity as the foreign keys and V4_3's
 * checks require. Like any replayed delete it is version-guarded: nothing happens when the stored entity is
 * newer than the purged image, absent, or another incarnation (created again under the purged id: its
 * {@code created_at} differs).
 */
final class Purge {

    static final String AGENT_VERSION_SQL = "SELECT version, created_at = CAST(? AS timestamptz) FROM factory.agents"
            + " WHERE id = ? FOR UPDATE";
    static final String PRD_VERSION_SQL = "SELECT version, created_at = CAST(? AS timestamptz) FROM factory.prds"
            + " WHERE id = ? FOR UPDATE";

    private Purge() {
    }

    /**
     * Deletes the entity of {@code table} ({@code agents} or {@code prds}) whose purged row image is
     * {@code before}, with everything that references it, on the caller's transaction. Runs at once: the caller
     * sends its batched rows first, so this entity's earlier changes are in place before it goes.
     */
    static void apply(Connection c, String table, Map<String, Object> before) throws SQLException {
        boolean agent = table.equals("agents");
        UUID id = UUID.fromString(String.valueOf(before.get("id")));
        long purged = ((Number) before.get("version")).longValue();
        Object createdAt = before.get("created_at");
        try (PreparedStatement ps = c.prepareStatement(agent ? AGENT_VERSION_SQL : PRD_VERSION_SQL)) {
            ps.setString(1, createdAt == null ? null : createdAt.toString());
            ps.setObject(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                // another incarnation (created again under the purged id) is not the purged entity
                if (!rs.next() || rs.getLong(1) > purged || (createdAt != null && !rs.getBoolean(2))) {
                    return;
                }
            }
        }
        EntityPurge.delete(c, table, List.of(id));
    }
}
