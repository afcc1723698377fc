package dev.agentfactory.store.writes;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.TransientRetry;

/** {@link WriteOutcomeRepository} on {@code factory.processed_events}. */
public final class JdbcWriteOutcomeRepository implements WriteOutcomeRepository {

    static final String FIND = """
            SELECT event_id, entity_type, entity_id, command_type, outcome, version, reason, processed_at
            FROM factory.processed_events WHERE event_id = :eventId""";
    /** The ids as one text[] parameter: one statement text (and plan) whatever their number, unlike an IN list. */
    static final String FIND_ALL = """
            SELECT event_id, entity_type, entity_id, command_type, outcome, version, reason, processed_at
            FROM factory.processed_events WHERE event_id = ANY(CAST(:eventIds AS uuid[]))""";
    static final String INSERT = """
            INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version, reason)
            VALUES (:eventId, :entityType, :entityId, :commandType, :outcome, :version, :reason)
            ON CONFLICT (event_id) DO NOTHING""";

    private final JdbcClient jdbc;
    private final TransientRetry retry;

    public JdbcWriteOutcomeRepository(JdbcClient jdbc, TransientRetry retry) {
        this.jdbc = jdbc;
        this.retry = retry;
    }

    @Override
    public Optional<WriteOutcome> find(UUID eventId) {
        return retry.run(() -> jdbc.sql(FIND).param("eventId", eventId)
                .query((rs, n) -> outcome(rs)).optional());
    }

    @Override
    public Map<UUID, WriteOutcome> findAll(Collection<UUID> eventIds) {
        if (eventIds.isEmpty()) {
            return Map.of();
        }
        String[] ids = eventIds.stream().map(UUID::toString).toArray(String[]::new);
        return retry.run(() -> {
            Map<UUID, WriteOutcome> found = new HashMap<>();
            jdbc.sql(FIND_ALL).param("eventIds", ids).query(rs -> {
                WriteOutcome o = outcome(rs);
                found.put(o.eventId(), o);
            });
            return found;
        });
    }

    private static WriteOutcome outcome(ResultSet rs) throws SQLException {
        return new WriteOutcome(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, UUID.class),
                rs.getString(4), Status.valueOf(rs.getString(5)), rs.getObject(6, Long.class), null, rs.getString(7),
                StoreJson.instant(rs, "processed_at"));
    }

    static Status stored(WriteOutcome o) {
        if (o.status() == Status.DUPLICATE) {
            throw new IllegalArgumentException("a duplicate is not stored: its original outcome is");
        }
        return o.status();
    }

    @Override
    public boolean record(WriteOutcome o) {
        return retry.run(() -> jdbc.sql(INSERT).param("eventId", o.eventId()).param("entityType", o.entityType())
                .param("entityId", o.entityId()).param("commandType", o.type()).param("outcome", stored(o).name())
                .param("version", o.version()).param("reason", o.reason()).update()) == 1;
    }
}
