package dev.agentfactory.store.replica;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * What an operator's purge deletes of an agent or PRD (docs/runbooks.md, "Purging an agent or PRD"), children first
 * as the foreign keys and V4_3's reference triggers require: its audit rows (they hold the commands' payloads),
 * links, history (agents) and version rows, then the entity; its outcomes stay. One list for both places that
 * repeat a purge on a copy: {@code ops} replay of a purge event, and the relay's standby sink removing an entity a
 * snapshot shows gone.
 */
public final class EntityPurge {

    static final List<String> AGENT_SQL = List.of(
            "DELETE FROM factory.audit_log WHERE entity_type = 'agent' AND entity_id = ANY (?::uuid[])",
            "DELETE FROM factory.prd_agents WHERE agent_id = ANY (?::uuid[])",
            "DELETE FROM factory.agent_history WHERE agent_id = ANY (?::uuid[])",
            "DELETE FROM factory.agent_versions WHERE agent_id = ANY (?::uuid[])",
            "DELETE FROM factory.agents WHERE id = ANY (?::uuid[])");
    static final List<String> PRD_SQL = List.of(
            "DELETE FROM factory.audit_log WHERE entity_type = 'prd' AND entity_id = ANY (?::uuid[])",
            "DELETE FROM factory.prd_agents WHERE prd_id = ANY (?::uuid[])",
            "DELETE FROM factory.prd_versions WHERE prd_id = ANY (?::uuid[])",
            "DELETE FROM factory.prds WHERE id = ANY (?::uuid[])");

    private EntityPurge() {
    }

    /**
     * Deletes the {@code ids} (text) of {@code table} ({@code agents} or {@code prds}) with everything that references
     * them, on the caller's transaction.
     */
    public static void delete(Connection c, String table, Collection<?> ids) throws SQLException {
        List<String> statements = switch (table) {
            case "agents" -> AGENT_SQL;
            case "prds" -> PRD_SQL;
            default -> throw new IllegalArgumentException("not an entity table: " + table);
        };
        Array array = c.createArrayOf("text", ids.stream().map(String::valueOf).toArray());
        for (String sql : statements) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setArray(1, array);
                ps.executeUpdate();
            }
        }
    }
}
