package dev.agentfactory.store.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.PageReader;
import dev.agentfactory.store.StoreJson;

/** {@link AuditRepository} on {@code factory.audit_log}; keyset pages on {@code (committed_at, id)}. */
public final class JdbcAuditRepository implements AuditRepository {

    /** What a page's budget counts: the command's payload. */
    private static final List<String> DETAILS = List.of("details");
    private static final String COLUMNS =
            "id, entity_type, entity_id, version, command_type, actor, event_id, occurred_at, committed_at, details";
    static final String INSERT = """
            INSERT INTO factory.audit_log (entity_type, entity_id, version, command_type, actor, event_id,
                                           occurred_at, details)
            VALUES (:entityType, :entityId, :version, :commandType, :actor, :eventId, :occurredAt,
                    CAST(:details AS jsonb))
            RETURNING\s""" + COLUMNS;
    static final String BY_ENTITY = PageReader.budgeted("SELECT " + COLUMNS + " FROM factory.audit_log"
            + " WHERE entity_type = :type AND entity_id = :id AND committed_at >= :from AND committed_at < :to"
            + " AND id > :after ORDER BY id LIMIT :limit", DETAILS);
    static final String BY_ACTOR = PageReader.budgeted("SELECT " + COLUMNS + " FROM factory.audit_log"
            + " WHERE actor = :actor AND committed_at >= :from AND committed_at < :to"
            + " AND (committed_at, id) > (:at, :after) ORDER BY committed_at, id LIMIT :limit", DETAILS);
    static final String BY_TIME = PageReader.budgeted("SELECT " + COLUMNS + " FROM factory.audit_log"
            + " WHERE committed_at >= :from AND committed_at < :to"
            + " AND (committed_at, id) > (:at, :after) ORDER BY committed_at, id LIMIT :limit", DETAILS);

    private final JdbcClient jdbc;
    private final PageReader pages;

    public JdbcAuditRepository(JdbcClient jdbc, PageReader pages) {
        this.jdbc = jdbc;
        this.pages = pages;
    }

    /** Runs inside the caller's transaction when there is one, so it is not retried on its own. */
    @Override
    public AuditEntry append(AuditEntry e) {
        return jdbc.sql(INSERT).param("entityType", e.entityType()).param("entityId", e.entityId())
                .param("version", e.version()).param("commandType", e.commandType()).param("actor", e.actor())
                .param("eventId", e.eventId()).param("occurredAt", StoreJson.timestamp(e.occurredAt()))
                .param("details", e.details() == null ? null : StoreJson.write(e.details()))
                .query(JdbcAuditRepository::map).single();
    }

    @Override
    public Page<AuditEntry> byEntity(String entityType, UUID entityId, Instant from, Instant to, String cursor,
                                     int limit) {
        Cursor c = Cursor.decode(cursor);
        return pages.read(jdbc.sql(BY_ENTITY).param("type", entityType).param("id", entityId)
                .param("from", StoreJson.timestamp(from)).param("to", StoreJson.timestamp(to))
                .param("after", c == null ? 0L : c.number()).param("limit", Page.checkLimit(limit) + 1), limit,
                JdbcAuditRepository::map, JdbcAuditRepository::cursor);
    }

    @Override
    public Page<AuditEntry> byActor(String actor, Instant from, Instant to, String cursor, int limit) {
        return range(BY_ACTOR, actor, from, to, cursor, limit);
    }

    @Override
    public Page<AuditEntry> byTime(Instant from, Instant to, String cursor, int limit) {
        return range(BY_TIME, null, from, to, cursor, limit);
    }

    private Page<AuditEntry> range(String sql, String actor, Instant from, Instant to, String cursor, int limit) {
        Cursor c = Cursor.decode(cursor);
        var spec = jdbc.sql(sql).param("from", StoreJson.timestamp(from)).param("to", StoreJson.timestamp(to))
                .param("at", StoreJson.timestamp(c == null ? Instant.EPOCH.minusSeconds(1) : c.at()))
                .param("after", c == null ? 0L : c.number()).param("limit", Page.checkLimit(limit) + 1);
        var bound = actor == null ? spec : spec.param("actor", actor);
        return pages.read(bound, limit, JdbcAuditRepository::map, JdbcAuditRepository::cursor);
    }

    static String cursor(AuditEntry e) {
        return Cursor.encode(e.committedAt(), e.id());
    }

    private static AuditEntry map(ResultSet rs, int row) throws SQLException {
        String details = rs.getString("details");
        return new AuditEntry(rs.getLong("id"), rs.getString("entity_type"), rs.getObject("entity_id", UUID.class),
                rs.getObject("version", Long.class), rs.getString("command_type"), rs.getString("actor"),
                rs.getObject("event_id", UUID.class), StoreJson.instant(rs, "occurred_at"),
                StoreJson.instant(rs, "committed_at"), details == null ? null : StoreJson.read(details));
    }
}
