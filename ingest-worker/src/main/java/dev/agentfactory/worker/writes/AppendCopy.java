package dev.agentfactory.worker.writes;

import static dev.agentfactory.worker.writes.CopyBinary.Type.INT8;
import static dev.agentfactory.worker.writes.CopyBinary.Type.JSONB;
import static dev.agentfactory.worker.writes.CopyBinary.Type.TEXT;
import static dev.agentfactory.worker.writes.CopyBinary.Type.TIMESTAMPTZ;
import static dev.agentfactory.worker.writes.CopyBinary.Type.UUID;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends rows that cannot already exist with {@code COPY ... FROM STDIN}: versions, history, audit,
 * dedup rows, and the agents a batch creates. PostgreSQL inserts them in multi-row heap batches and
 * parses no array literals, about twice as fast as {@code INSERT ... SELECT FROM unnest}; the binary
 * format ({@link CopyBinary}) spares it parsing the uuids, timestamps and bigints as well. COPY is refused
 * on tables whose row-level security applies to the writer, so each batch asks first ({@link #allowed})
 * and the caller falls back to INSERT. Same transaction, same rows, same constraints either way: a
 * duplicate key fails the batch as the INSERT would, and the batch is split to isolate the record.
 */
final class AppendCopy {

    private static final Logger log = LoggerFactory.getLogger(AppendCopy.class);

    /** COPY data sent to the server per CopyData message. */
    static final int CHUNK_BYTES = 1 << 20;
    /** One round trip per batch: true when COPY may write every table below (V4_1 gave the writer BYPASSRLS). */
    static final String ALLOWED = """
            SELECT NOT (row_security_active('factory.agent_versions') OR row_security_active('factory.prd_versions')
                     OR row_security_active('factory.agent_history') OR row_security_active('factory.audit_log')
                     OR row_security_active('factory.processed_events') OR row_security_active('factory.agents'))""";
    static final Table AGENT_VERSIONS = new Table("COPY factory.agent_versions (agent_id, version, change_type, "
            + "snapshot, actor, event_id) FROM STDIN (FORMAT binary)", UUID, INT8, TEXT, JSONB, TEXT, UUID);
    static final Table PRD_VERSIONS = new Table("COPY factory.prd_versions (prd_id, version, change_type, snapshot, "
            + "actor, event_id) FROM STDIN (FORMAT binary)", UUID, INT8, TEXT, JSONB, TEXT, UUID);
    static final Table HISTORY = new Table("COPY factory.agent_history (agent_id, kind, entry, recorded_at, actor, "
            + "event_id) FROM STDIN (FORMAT binary)", UUID, TEXT, JSONB, TIMESTAMPTZ, TEXT, UUID);
    static final Table AUDIT = new Table("COPY factory.audit_log (entity_type, entity_id, version, command_type, "
            + "actor, event_id, occurred_at, details) FROM STDIN (FORMAT binary)",
            TEXT, UUID, INT8, TEXT, TEXT, UUID, TIMESTAMPTZ, JSONB);
    static final Table PROCESSED = new Table("COPY factory.processed_events (event_id, entity_type, entity_id, "
            + "command_type, outcome, version, reason) FROM STDIN (FORMAT binary)",
            UUID, TEXT, UUID, TEXT, TEXT, INT8, TEXT);
    static final Table AGENTS = new Table("COPY factory.agents (id, slug, name, kind, status, config, state, "
            + "metadata, version, created_at, created_by, updated_at, updated_by, deleted_at) FROM STDIN (FORMAT binary)",
            UUID, TEXT, TEXT, TEXT, TEXT, JSONB, JSONB, JSONB, INT8, TIMESTAMPTZ, TEXT, TIMESTAMPTZ, TEXT, TIMESTAMPTZ);

    /** A COPY statement and the wire types of its columns, in order. */
    record Table(String sql, CopyBinary.Type... types) {
    }

    private volatile Boolean lastAllowed;

    boolean allowed(Connection c) throws SQLException {
        boolean allowed;
        try (PreparedStatement ps = c.prepareStatement(ALLOWED); ResultSet rs = ps.executeQuery()) {
            rs.next();
            allowed = rs.getBoolean(1);
        }
        if (!Boolean.valueOf(allowed).equals(lastAllowed)) {
            lastAllowed = allowed;
            log.info(allowed ? "appending versions, history and audit with COPY"
                    : "row-level security applies to the writer: appending versions, history and audit with INSERT");
        }
        return allowed;
    }

    static void versions(Connection c, Table table, Collection<BatchState.VersionRow> rows) throws SQLException {
        copy(c, table, rows, r -> Arrays.asList(r.entityId(), r.version(), r.changeType(), r.snapshot(), r.actor(),
                r.eventId()));
    }

    static void history(Connection c, Collection<BatchState.HistoryRow> rows) throws SQLException {
        copy(c, HISTORY, rows, r -> Arrays.asList(r.agentId(), r.kind(), r.entry(), r.recordedAt(), r.actor(),
                r.eventId()));
    }

    static void audit(Connection c, Collection<BatchState.AuditRow> rows) throws SQLException {
        copy(c, AUDIT, rows, r -> Arrays.asList(r.entityType(), r.entityId(), r.version(),
                r.commandType(), r.actor(), r.eventId(), r.occurredAt(), r.details()));
    }

    static void processed(Connection c, Collection<BatchState.ProcessedRow> rows) throws SQLException {
        copy(c, PROCESSED, rows, r -> Arrays.asList(r.eventId(), r.entityType(), r.entityId(),
                r.commandType(), r.outcome(), r.version(), r.reason()));
    }

    /** Agents created by this batch (never stored before, so nothing to upsert), in their final state. */
    static void agents(Connection c, Collection<AgentRow> rows, Snapshots snapshots) throws SQLException {
        copy(c, AGENTS, rows, r -> Arrays.asList(r.id, r.slug, r.name, r.kind, r.status,
                r.configText.text(r.config, snapshots), r.stateText.text(r.state, snapshots),
                r.metadataText.text(r.metadata, snapshots), r.version, r.createdAt, r.createdBy, r.updatedAt,
                r.updatedBy, r.deletedAt));
    }

    private static <T> void copy(Connection c, Table table, Collection<T> rows, Function<T, List<?>> fields)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        // Sent in chunks of about CHUNK_BYTES, so a batch of large rows (PRD bodies reach 1 MB) never holds
        // its whole COPY data in memory at once.
        CopyBinary data = new CopyBinary((int) Math.min(rows.size() * 256L, CHUNK_BYTES)).header();
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(table.sql());
        try {
            for (T row : rows) {
                data.row(table.types(), fields.apply(row));
                if (data.size() >= CHUNK_BYTES) {
                    send(in, data);
                }
            }
            send(in, data.trailer());
            in.endCopy();
        } catch (SQLException | RuntimeException e) {
            if (in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException cancel) {
                    e.addSuppressed(cancel);
                }
            }
            throw e;
        }
    }

    private static void send(CopyIn in, CopyBinary data) throws SQLException {
        if (data.size() > 0) {
            in.writeToCopy(data.bytes(), 0, data.size());
            data.clear();
        }
    }
}
