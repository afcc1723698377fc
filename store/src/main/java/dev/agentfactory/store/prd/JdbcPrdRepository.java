package dev.agentfactory.store.prd;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

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

/** {@link PrdRepository} on PostgreSQL; transactions and retries as in {@code JdbcAgentRepository}. */
public final class JdbcPrdRepository implements PrdRepository {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final TransientRetry retry;
    private final PageReader pages;
    private final AuditRepository audit;

    public JdbcPrdRepository(JdbcClient jdbc, TransactionTemplate tx, TransientRetry retry, PageReader pages,
                             AuditRepository audit) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.retry = retry;
        this.pages = pages;
        this.audit = audit;
    }

    @Override
    public Optional<Prd> findById(UUID id) {
        return retry.run(() -> jdbc.sql(PrdSql.BY_ID).param("id", id).query(JdbcPrdRepository::map).optional());
    }

    @Override
    public Optional<Prd> findBySlug(String slug) {
        return retry.run(() -> jdbc.sql(PrdSql.BY_SLUG).param("slug", slug).query(JdbcPrdRepository::map).optional());
    }

    @Override
    public Page<Prd> list(PrdStatus status, String cursor, int limit) {
        return list(status, ListFilter.NONE, cursor, limit);
    }

    @Override
    public Page<Prd> list(PrdStatus status, ListFilter filter, String cursor, int limit) {
        return PrdSql.LIST.page(jdbc, pages, status == null ? null : status.dbValue(), filter, cursor, limit,
                JdbcPrdRepository::map, Prd::updatedAt, Prd::id);
    }

    @Override
    public Page<PrdVersion> versions(UUID prdId, String cursor, int limit) {
        Cursor before = Cursor.decode(cursor);
        return pages.read(jdbc.sql(PrdSql.VERSIONS).param("id", prdId)
                .param("before", before == null ? Long.MAX_VALUE : before.number())
                .param("limit", Page.checkLimit(limit) + 1), limit, JdbcPrdRepository::mapVersion,
                v -> Cursor.encode(v.committedAt(), v.version()));
    }

    @Override
    public Optional<PrdVersion> version(UUID prdId, long version) {
        return retry.run(() -> jdbc.sql(PrdSql.VERSION).param("id", prdId).param("version", version)
                .query(JdbcPrdRepository::mapVersion).optional());
    }

    @Override
    public WriteResult<Prd> create(Prd prd, Change change) {
        if (prd.version() != 1) {
            throw new IllegalArgumentException("a created PRD is at version 1, not " + prd.version());
        }
        return write(PrdSql.INSERT, PrdRules.normalized(prd), change);
    }

    @Override
    public WriteResult<Prd> update(Prd next, Change change) {
        return write(PrdSql.UPDATE, PrdRules.normalized(next), change);
    }

    private WriteResult<Prd> write(String sql, Prd row, Change change) {
        var invalid = PrdRules.violation(row);
        if (invalid.isPresent()) {
            return new WriteResult.Rejected<>(invalid.get());
        }
        try {
            return retry.run(() -> tx.execute(status -> {
                if (bind(jdbc.sql(sql), row).update() == 0) {
                    return versionClash(row);
                }
                jdbc.sql(PrdSql.INSERT_VERSION).param("id", row.id()).param("version", row.version())
                        .param("changeType", change.changeType()).param("snapshot", PrdSnapshots.toJson(row))
                        .param("actor", change.actor()).param("eventId", change.eventId()).update();
                audit.append(PrdRules.audit(row.id(), row.version(), change, Map.of("change_type", change.changeType())));
                return new WriteResult.Applied<>(row);
            }));
        } catch (DataIntegrityViolationException e) {
            return ConstraintViolations.rejected(e, "PRD", row.slug());
        }
    }

    private WriteResult<Prd> versionClash(Prd wanted) {
        return jdbc.sql(PrdSql.VERSION_OF).param("id", wanted.id())
                .query((rs, n) -> WriteResult.<Prd>versionClash(wanted.version(), rs.getLong(1), rs.getObject(2) != null))
                .optional().orElseGet(() -> new WriteResult.NotFound<>("PRD " + wanted.id()));
    }

    @Override
    public List<PrdAgentLink> links(UUID prdId) {
        return retry.run(() -> jdbc.sql(PrdSql.LINKS).param("id", prdId).query(JdbcPrdRepository::mapLink).list());
    }

    @Override
    public Page<PrdAgentLink> linksOfAgent(UUID agentId, String cursor, int limit) {
        Cursor after = Cursor.decode(cursor);
        var spec = after == null ? jdbc.sql(PrdSql.LINKS_OF_AGENT)
                : jdbc.sql(PrdSql.LINKS_OF_AGENT_AFTER).param("after", after.uuid());
        return pages.readList(spec.param("id", agentId).param("limit", Page.checkLimit(limit) + 1), limit,
                JdbcPrdRepository::mapLink, PrdSql.LINK_BULK_COLUMNS, PrdRules::agentLinkCursor);
    }

    @Override
    public WriteResult<PrdAgentLink> link(PrdAgentLink link, Change change) {
        PrdAgentLink row = PrdRules.normalized(link);
        var invalid = PrdRules.violation(row);
        if (invalid.isPresent()) {
            return new WriteResult.Rejected<>(invalid.get());
        }
        try {
            return retry.run(() -> tx.execute(status -> {
                int inserted = jdbc.sql(PrdSql.LINK).param("prdId", row.prdId()).param("agentId", row.agentId())
                        .param("role", row.role()).param("linkedAt", StoreJson.timestamp(row.linkedAt()))
                        .param("linkedBy", row.linkedBy()).update();
                if (inserted == 0) {
                    boolean exists = jdbc.sql(PrdSql.LINK_EXISTS).param("prdId", row.prdId())
                            .param("agentId", row.agentId()).query(Integer.class).optional().isPresent();
                    return exists ? new WriteResult.Stale<>(0)
                            : new WriteResult.NotFound<>("live PRD " + row.prdId() + " and agent " + row.agentId());
                }
                audit.append(PrdRules.audit(row.prdId(), null, change, PrdRules.linkDetails(row)));
                return new WriteResult.Applied<>(row);
            }));
        } catch (DataIntegrityViolationException e) {
            return ConstraintViolations.rejected(e);
        }
    }

    @Override
    public WriteResult<PrdAgentLink> unlink(UUID prdId, UUID agentId, Change change) {
        // What an earlier attempt removed: gone on a retry means that attempt committed, its acknowledgement lost.
        AtomicReference<PrdAgentLink> removedBefore = new AtomicReference<>();
        return retry.run(() -> tx.execute(status -> {
            Optional<PrdAgentLink> removed = jdbc.sql(PrdSql.UNLINK).param("prdId", prdId).param("agentId", agentId)
                    .query(JdbcPrdRepository::mapLink).optional();
            if (removed.isEmpty()) {
                return removedBefore.get() != null ? new WriteResult.Applied<>(removedBefore.get())
                        : new WriteResult.NotFound<>("link of PRD " + prdId + " to agent " + agentId);
            }
            removedBefore.set(removed.get());
            audit.append(PrdRules.audit(prdId, null, change, PrdRules.linkDetails(removed.get())));
            return new WriteResult.Applied<>(removed.get());
        }));
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Prd p) {
        return spec.param("id", p.id()).param("slug", p.slug()).param("title", p.title()).param("body", p.body())
                .param("status", p.status().dbValue()).param("metadata", StoreJson.write(p.metadata()))
                .param("owner", p.owner()).param("version", p.version())
                .param("createdAt", StoreJson.timestamp(p.createdAt())).param("createdBy", p.createdBy())
                .param("updatedAt", StoreJson.timestamp(p.updatedAt())).param("updatedBy", p.updatedBy())
                .param("deletedAt", StoreJson.timestamp(p.deletedAt()));
    }

    static Prd map(ResultSet rs, int row) throws SQLException {
        return new Prd(rs.getObject("id", UUID.class), rs.getString("slug"), rs.getString("title"), rs.getString("body"),
                PrdStatus.fromDb(rs.getString("status")), StoreJson.column(rs, "metadata"), rs.getString("owner"),
                rs.getLong("version"), StoreJson.instant(rs, "created_at"), rs.getString("created_by"),
                StoreJson.instant(rs, "updated_at"), rs.getString("updated_by"), StoreJson.instant(rs, "deleted_at"));
    }

    private static PrdVersion mapVersion(ResultSet rs, int row) throws SQLException {
        return new PrdVersion(rs.getObject("prd_id", UUID.class), rs.getLong("version"), rs.getString("change_type"),
                PrdSnapshots.fromJson(rs.getString("snapshot")), rs.getString("actor"),
                rs.getObject("event_id", UUID.class), StoreJson.instant(rs, "committed_at"));
    }

    private static PrdAgentLink mapLink(ResultSet rs, int row) throws SQLException {
        return new PrdAgentLink(rs.getObject("prd_id", UUID.class), rs.getObject("agent_id", UUID.class),
                rs.getString("role"), StoreJson.instant(rs, "linked_at"), rs.getString("linked_by"));
    }
}
