package dev.agentfactory.store.agent;

import java.util.Arrays;
import java.util.List;

import dev.agentfactory.store.KeysetList;
import dev.agentfactory.store.PageReader;

/** The SQL of {@link JdbcAgentRepository}: one named constant per statement. */
final class AgentSql {

    private AgentSql() {
    }

    static final String COLUMNS = """
            id, slug, name, kind, status, config, state, metadata, version,
            created_at, created_by, updated_at, updated_by, deleted_at""";

    static final String SELECT = "SELECT " + COLUMNS + " FROM factory.agents";
    static final String BY_ID = "SELECT " + COLUMNS + " FROM factory.agents WHERE id = :id";
    static final String BY_SLUG = "SELECT " + COLUMNS + " FROM factory.agents WHERE slug = :slug";
    static final String VERSION_OF = "SELECT version, deleted_at FROM factory.agents WHERE id = :id";

    // Lists of any status are a union of one branch per status, so the enum must name every status the
    // CHECK constraint allows (StatusCheckConstraintIT compares them).
    static final KeysetList LIST = new KeysetList(SELECT, "name",
            Arrays.stream(AgentStatus.values()).map(AgentStatus::dbValue).toList(), List.of("config", "state", "metadata"));

    static final String VERSIONS = PageReader.budgeted("""
            SELECT agent_id, version, change_type, snapshot, actor, event_id, committed_at
            FROM factory.agent_versions WHERE agent_id = :id AND version < :before
            ORDER BY version DESC LIMIT :limit""", List.of("snapshot"));
    static final String VERSION = """
            SELECT agent_id, version, change_type, snapshot, actor, event_id, committed_at
            FROM factory.agent_versions WHERE agent_id = :id AND version = :version""";
    static final String HISTORY = PageReader.budgeted("""
            SELECT seq, agent_id, kind, entry, recorded_at, actor, event_id
            FROM factory.agent_history WHERE agent_id = :id AND seq > :after ORDER BY seq LIMIT :limit""",
            List.of("entry"));

    static final String INSERT = """
            INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version,
                                        created_at, created_by, updated_at, updated_by, deleted_at)
            VALUES (:id, :slug, :name, :kind, :status, CAST(:config AS jsonb), CAST(:state AS jsonb),
                    CAST(:metadata AS jsonb), :version, :createdAt, :createdBy, :updatedAt, :updatedBy, :deletedAt)
            ON CONFLICT (id) DO NOTHING""";
    // The guard: only the row at the version this write follows, and only while it is not deleted.
    static final String UPDATE = """
            UPDATE factory.agents SET slug = :slug, name = :name, kind = :kind, status = :status,
                   config = CAST(:config AS jsonb), state = CAST(:state AS jsonb), metadata = CAST(:metadata AS jsonb),
                   version = :version, updated_at = :updatedAt, updated_by = :updatedBy, deleted_at = :deletedAt
            WHERE id = :id AND version = :version - 1 AND deleted_at IS NULL""";
    static final String INSERT_VERSION = """
            INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id)
            VALUES (:id, :version, :changeType, CAST(:snapshot AS jsonb), :actor, :eventId)""";
    // A retry may follow an attempt that committed and lost only its acknowledgement: it then answers with the
    // entry of this event instead of writing a second one. Only a retry looks (:retry), as the look reads the
    // agent's history through agent_history_agent_seq_idx, which has no event_id; the first attempt cannot find one.
    static final String INSERT_HISTORY = """
            WITH present AS (
                SELECT seq FROM factory.agent_history
                WHERE CAST(:retry AS boolean) AND agent_id = :id AND event_id = :eventId
                ORDER BY seq LIMIT 1
            ), inserted AS (
                INSERT INTO factory.agent_history (agent_id, kind, entry, recorded_at, actor, event_id)
                SELECT :id, :kind, CAST(:entry AS jsonb), :recordedAt, :actor, :eventId
                WHERE EXISTS (SELECT 1 FROM factory.agents WHERE id = :id) AND NOT EXISTS (SELECT 1 FROM present)
                RETURNING seq
            )
            SELECT seq, true AS inserted FROM inserted
            UNION ALL
            SELECT seq, false FROM present""";
}
