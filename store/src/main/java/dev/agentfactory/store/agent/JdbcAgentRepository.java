package dev.agentfactory.store.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentfactory.store.Change;
import dev.agentfactory.store.ConstraintViolations;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.ListFilter;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.PageReader;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.TransientRetry;
import dev.agentfactory.store.WriteResult;
import dev.agentfactory.store.audit.AuditRepository;

/**
 * {@link AgentRepository} on PostgreSQL. Each write is one transaction (row, snapshot, audit entry)
 * retried as a whole on transient failures; reads are retried the same way.
 */
public final class JdbcAgentRepository implements AgentRepository {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final TransientRetry retry;
    private final PageReader pages;
    private final AuditRepository audit;

    public JdbcAgentRepository(JdbcClient jdbc, TransactionTemplate tx, TransientRetry retry, PageReader pages,
                               AuditRepository audit) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.retry = retry;
        this.pages = pages;
        this.audit = audit;
    }

    @Override
    public Optional<Agent> findById(UUID id) {
        return retry.run(() -> jdbc.sql(AgentSql.BY_ID).param("id", id).query(JdbcAgentRepository::map).optional());
    }

    @Override
    public Optional<Agent> findBySlug(String slug) {
        return retry.run(() -> jdbc.sql(AgentSql.BY_SLUG).param("slug", slug).query(JdbcAgentRepository::map).optional());
    }

    @Override
    public Page<Agent> list(AgentStatus status, String cursor, int limit) {
        return list(status, ListFilter.NONE, cursor, limit);
    }

    @Override
    public Page<Agent> list(AgentStatus status, ListFilter filter, String cursor, int limit) {
        return AgentSql.LIST.page(jdbc, pages, status == null ? null : status.dbValue(), filter, cursor, limit,
                JdbcAgentRepository::map, Agent::updatedAt, Agent::id);
    }

    @Override
    public Page<AgentVersion> versions(UUID agentId, String cursor, int limit) {
        Cursor before = Cursor.decode(cursor);
        return pages.read(jdbc.sql(AgentSql.VERSIONS).param("id", agentId)
                .param("before", before == null ? Long.MAX_VALUE : before.number())
                .param("limit", Page.checkLimit(limit) + 1), limit, JdbcAgentRepository::mapVersion,
                v -> Cursor.encode(v.committedAt(), v.version()));
    }

    @Override
    public Optional<AgentVersion> version(UUID agentId, long version) {
        return retry.run(() -> jdbc.sql(AgentSql.VERSION).param("id", agentId).param("version", version)
                .query(JdbcAgentRepository::mapVersion).optional());
    }

    @Override
    public Page<HistoryEntry> history(UUID agentId, long afterSeq, int limit) {
        return pages.read(jdbc.sql(AgentSql.HISTORY).param("id", agentId).param("after", afterSeq)
                .param("limit", Page.checkLimit(limit) + 1), limit, JdbcAgentRepository::mapHistory,
                h -> Long.toString(h.seq()));
    }

    @Override
    public WriteResult<Agent> create(Agent agent, Change change) {
        if (agent.version() != 1) {
            throw new IllegalArgumentException("a created agent is at version 1, not " + agent.version());
        }
        return write(AgentSql.INSERT, AgentRules.normalized(agent), change);
    }

    @Override
    public WriteResult<Agent> update(Agent next, Change change) {
        return write(AgentSql.UPDATE, AgentRules.normalized(next), change);
    }

    private WriteResult<Agent> write(String sql, Agent row, Change change) {
        var invalid = AgentRules.violation(row);
        if (invalid.isPresent()) {
            return new WriteResult.Rejected<>(invalid.get());
        }
        try {
            return retry.run(() -> tx.execute(status -> {
                if (bind(jdbc.sql(sql), row).update() == 0) {
                    return versionClash(row);
                }
                recordVersion(row, change);
                return new WriteResult.Applied<>(row);
            }));
        } catch (DataIntegrityViolationException e) {
            return ConstraintViolations.rejected(e, "agent", row.slug());
        }
    }

    @Override
    public WriteResult<HistoryEntry> appendHistory(UUID agentId, HistoryEntry.Kind kind, Map<String, Object> entry,
                                                   Instant recordedAt, Change change) {
        Instant at = StoreJson.micros(recordedAt);
        AtomicBoolean attempted = new AtomicBoolean();
        try {
            return retry.run(() -> tx.execute(status -> {
                Optional<Appended> appended = jdbc.sql(AgentSql.INSERT_HISTORY).param("id", agentId)
                        .param("kind", kind.dbValue()).param("entry", StoreJson.write(entry))
                        .param("recordedAt", StoreJson.timestamp(at)).param("actor", change.actor())
                        .param("eventId", change.eventId()).param("retry", attempted.getAndSet(true))
                        .query((rs, n) -> new Appended(rs.getLong("seq"), rs.getBoolean("inserted"))).optional();
                if (appended.isEmpty()) {
                    return new WriteResult.NotFound<>("agent " + agentId);
                }
                if (appended.get().inserted()) {
                    audit.append(AgentRules.audit(agentId, null, change));
                }
                return new WriteResult.Applied<>(new HistoryEntry(appended.get().seq(), agentId, kind, entry, at,
                        change.actor(), change.eventId()));
            }));
        } catch (DataIntegrityViolationException e) {
            // jsonb refuses some of what a map can hold, such as U+0000 in a string (22P05)
            return ConstraintViolations.rejected(e);
        }
    }

    /** The entry's seq, and whether this attempt inserted it (or an earlier one whose commit went unacknowledged). */
    private record Appended(long seq, boolean inserted) {
    }

    private WriteResult<Agent> versionClash(Agent wanted) {
        return jdbc.sql(AgentSql.VERSION_OF).param("id", wanted.id())
                .query((rs, n) -> WriteResult.<Agent>versionClash(wanted.version(), rs.getLong(1), rs.getObject(2) != null))
                .optional().orElseGet(() -> new WriteResult.NotFound<>("agent " + wanted.id()));
    }

    private void recordVersion(Agent row, Change change) {
        jdbc.sql(AgentSql.INSERT_VERSION).param("id", row.id()).param("version", row.version())
                .param("changeType", change.changeType()).param("snapshot", AgentSnapshots.toJson(row))
                .param("actor", change.actor()).param("eventId", change.eventId()).update();
        audit.append(AgentRules.audit(row.id(), row.version(), change));
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Agent a) {
        return spec.param("id", a.id()).param("slug", a.slug()).param("name", a.name()).param("kind", a.kind())
                .param("status", a.status().dbValue()).param("config", StoreJson.write(a.config()))
                .param("state", StoreJson.write(a.state())).param("metadata", StoreJson.write(a.metadata()))
                .param("version", a.version()).param("createdAt", StoreJson.timestamp(a.createdAt()))
                .param("createdBy", a.createdBy()).param("updatedAt", StoreJson.timestamp(a.updatedAt()))
                .param("updatedBy", a.updatedBy()).param("deletedAt", StoreJson.timestamp(a.deletedAt()));
    }

    static Agent map(ResultSet rs, int row) throws SQLException {
        return new Agent(rs.getObject("id", UUID.class), rs.getString("slug"), rs.getString("name"),
                rs.getString("kind"), AgentStatus.fromDb(rs.getString("status")), StoreJson.column(rs, "config"),
                StoreJson.column(rs, "state"), StoreJson.column(rs, "metadata"), rs.getLong("version"),
                StoreJson.instant(rs, "created_at"), rs.getString("created_by"), StoreJson.instant(rs, "updated_at"),
                rs.getString("updated_by"), StoreJson.instant(rs, "deleted_at"));
    }

    private static AgentVersion mapVersion(ResultSet rs, int row) throws SQLException {
        return new AgentVersion(rs.getObject("agent_id", UUID.class), rs.getLong("version"),
                rs.getString("change_type"), AgentSnapshots.fromJson(rs.getString("snapshot")), rs.getString("actor"),
                rs.getObject("event_id", UUID.class), StoreJson.instant(rs, "committed_at"));
    }

    private static HistoryEntry mapHistory(ResultSet rs, int row) throws SQLException {
        return new HistoryEntry(rs.getLong("seq"), rs.getObject("agent_id", UUID.class),
                HistoryEntry.Kind.fromDb(rs.getString("kind")), StoreJson.column(rs, "entry"),
                StoreJson.instant(rs, "recorded_at"), rs.getString("actor"), rs.getObject("event_id", UUID.class));
    }
}
