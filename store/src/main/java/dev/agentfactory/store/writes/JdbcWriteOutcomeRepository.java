package dev.agentfactory.store.writes;

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
                .query((rs, n) -> new WriteOutcome(rs.getObject(1, UUID.class), rs.getString(2),
                        rs.getObject(3, UUID.class), rs.getString(4), Status.valueOf(rs.getString(5)),
                        rs.getObject(6, Long.class), null, rs.getString(7), StoreJson.instant(rs, "processed_at")))
                .optional());
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
