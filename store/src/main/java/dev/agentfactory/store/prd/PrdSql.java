package dev.agentfactory.store.prd;

import java.util.Arrays;
import java.util.List;

import dev.agentfactory.store.KeysetList;
import dev.agentfactory.store.PageReader;

/** The SQL of {@link JdbcPrdRepository}: one named constant per statement. */
final class PrdSql {

    private PrdSql() {
    }

    static final String COLUMNS = """
            id, slug, title, body, status, metadata, owner, version,
            created_at, created_by, updated_at, updated_by, deleted_at""";

    static final String SELECT = "SELECT " + COLUMNS + " FROM factory.prds";
    static final String BY_ID = "SELECT " + COLUMNS + " FROM factory.prds WHERE id = :id";
    static final String BY_SLUG = "SELECT " + COLUMNS + " FROM factory.prds WHERE slug = :slug";
    static final String VERSION_OF = "SELECT version, deleted_at FROM factory.prds WHERE id = :id";

    // Lists of any status are a union of one branch per status, so the enum must name every status the
    // CHECK constraint allows (StatusCheckConstraintIT compares them).
    static final KeysetList LIST = new KeysetList(SELECT, "title",
            Arrays.stream(PrdStatus.values()).map(PrdStatus::dbValue).toList(), List.of("body", "metadata"));

    static final String VERSIONS = PageReader.budgeted("""
            SELECT prd_id, version, change_type, snapshot, actor, event_id, committed_at
            FROM factory.prd_versions WHERE prd_id = :id AND version < :before
            ORDER BY version DESC LIMIT :limit""", List.of("snapshot"));
    static final String VERSION = """
            SELECT prd_id, version, change_type, snapshot, actor, event_id, committed_at
            FROM factory.prd_versions WHERE prd_id = :id AND version = :version""";

    static final String INSERT = """
            INSERT INTO factory.prds (id, slug, title, body, status, metadata, owner, version,
                                      created_at, created_by, updated_at, updated_by, deleted_at)
            VALUES (:id, :slug, :title, :body, :status, CAST(:metadata AS jsonb), :owner, :version,
                    :createdAt, :createdBy, :updatedAt, :updatedBy, :deletedAt)
            ON CONFLICT (id) DO NOTHING""";
    // The status trigger (prds_status_transition) rejects a forbidden lifecycle move with check_violation.
    static final String UPDATE = """
            UPDATE factory.prds SET slug = :slug, title = :title, body = :body, status = :status,
                   metadata = CAST(:metadata AS jsonb), owner = :owner, version = :version,
                   updated_at = :updatedAt, updated_by = :updatedBy, deleted_at = :deletedAt
            WHERE id = :id AND version = :version - 1 AND deleted_at IS NULL""";
    static final String INSERT_VERSION = """
            INSERT INTO factory.prd_versions (prd_id, version, change_type, snapshot, actor, event_id)
            VALUES (:id, :version, :changeType, CAST(:snapshot AS jsonb), :actor, :eventId)""";

    static final String LINK_COLUMNS = "prd_id, agent_id, role, linked_at, linked_by";
    static final String LINKS = "SELECT " + LINK_COLUMNS + " FROM factory.prd_agents WHERE prd_id = :id ORDER BY agent_id";
    // An agent's links are keyset pages on prd_agents_agent_idx (agent_id, prd_id): the first, and those after a PRD id.
    static final String LINKS_OF_AGENT = "SELECT " + LINK_COLUMNS
            + " FROM factory.prd_agents WHERE agent_id = :id ORDER BY prd_id LIMIT :limit";
    static final String LINKS_OF_AGENT_AFTER = "SELECT " + LINK_COLUMNS
            + " FROM factory.prd_agents WHERE agent_id = :id AND prd_id > :after ORDER BY prd_id LIMIT :limit";
    /** Text columns of a link whose size no constraint bounds (a role is at most 100 characters). */
    static final List<String> LINK_BULK_COLUMNS = List.of("linked_by");
    static final String LINK_EXISTS = "SELECT 1 FROM factory.prd_agents WHERE prd_id = :prdId AND agent_id = :agentId";
    // Only between live entities; the foreign keys stay the backstop against a concurrent delete.
    static final String LINK = """
            INSERT INTO factory.prd_agents (prd_id, agent_id, role, linked_at, linked_by)
            SELECT :prdId, :agentId, :role, :linkedAt, :linkedBy
            WHERE EXISTS (SELECT 1 FROM factory.prds WHERE id = :prdId AND deleted_at IS NULL)
              AND EXISTS (SELECT 1 FROM factory.agents WHERE id = :agentId AND deleted_at IS NULL)
            ON CONFLICT (prd_id, agent_id) DO NOTHING""";
    static final String UNLINK = "DELETE FROM factory.prd_agents WHERE prd_id = :prdId AND agent_id = :agentId"
            + " RETURNING " + LINK_COLUMNS;
}
