package dev.agentfactory.worker.writes;

import java.nio.charset.StandardCharsets;
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
 * parses no array literals, about twice as fast as {@code INSERT ... SELECT FROM unnest}. COPY is refused
 * on tables whose row-level security applies to the writer, so each batch asks first ({@link #allowed})
 * and the caller falls back to INSERT. Same transaction, same rows, same constraints either way: a
 * duplicate key fails the batch as the INSERT would, and the batch is split to isolate the record.
 */
final class AppendCopy {

    private static final Logger log = LoggerFactory.getLogger(AppendCopy.class);

    /** COPY text sent to the server per CopyData message. */
    static final int CHUNK_CHARS = 1 << 20;
    /** One round trip per batch: true when COPY may write every table below (V4_1 gave the writer BYPASSRLS). */
    static final String ALLOWED = """
            SELECT NOT (row_security_active('factory.agent_versions') OR row_security_active('factory.prd_versions')
                     OR row_security_active('factory.agent_history') OR row_security_active('factory.audit_log')
                     OR row_security_active('factory.processed_events') OR row_security_active('factory.agents'))""";
    static final String COPY_AGENT_VERSIONS = "COPY factory.agent_versions (agent_id, version, change_type, snapshot, "
            + "actor, event_id) FROM STDIN";
    static final String COPY_PRD_VERSIONS = "COPY factory.prd_versions (prd_id, version, change_type, snapshot, actor, "
            + "event_id) FROM STDIN";
    static final String COPY_HISTORY = "COPY factory.agent_history (agent_id, kind, entry, recorded_at, actor, event_id) "
            + "FROM STDIN";
    static final String COPY_AUDIT = "COPY factory.audit_log (entity_type, entity_id, version, command_type, actor, "
            + "event_id, occurred_at, details) FROM STDIN";

    static final String COPY_PROCESSED = "COPY factory.processed_events (event_id, entity_type, entity_id, "
            + "command_type, outcome, version, reason) FROM STDIN";
    static final String COPY_AGENTS = "COPY factory.agents (id, slug, name, kind, status, config, state, metadata, "
            + "version, created_at, created_by, updated_at, updated_by, deleted_at) FROM STDIN";

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

    static void versions(Connection c, String sql, Collection<BatchState.VersionRow> rows) throws SQLException {
        copy(c, sql, rows, r -> Arrays.asList(r.entityId(), r.version(), r.changeType(), r.snapshot(), r.actor(),
                r.eventId()));
    }

    static void history(Connection c, Collection<BatchState.HistoryRow> rows) throws SQLException {
        copy(c, COPY_HISTORY, rows, r -> Arrays.asList(r.agentId(), r.kind(), r.entry(), r.recordedAt(), r.actor(),
                r.eventId()));
    }

    static void audit(Connection c, Collection<BatchState.AuditRow> rows) throws SQLException {
        copy(c, COPY_AUDIT, rows, r -> Arrays.asList(r.entityType(), r.entityId(), r.version(),
                r.commandType(), r.actor(), r.eventId(), r.occurredAt(), r.details()));
    }

    static void processed(Connection c, Collection<BatchState.ProcessedRow> rows) throws SQLException {
        copy(c, COPY_PROCESSED, rows, r -> Arrays.asList(r.eventId(), r.entityType(), r.entityId(),
                r.commandType(), r.outcome(), r.version(), r.reason()));
    }

    /** Agents created by this batch (never stored before, so nothing to upsert), in their final state. */
    static void agents(Connection c, Collection<AgentRow> rows, Snapshots snapshots) throws SQLException {
        copy(c, COPY_AGENTS, rows, r -> Arrays.asList(r.id, r.slug, r.name, r.kind, r.status,
                r.configText.text(r.config, snapshots), r.stateText.text(r.state, snapshots),
                r.metadataText.text(r.metadata, snapshots), r.version, r.createdAt, r.createdBy, r.updatedAt,
                r.updatedBy, r.deletedAt));
    }

    private static <T> void copy(Connection c, String sql, Collection<T> rows, Function<T, List<?>> fields)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            // Sent in chunks of about CHUNK_CHARS, so a batch of large rows (PRD bodies reach 1 MB) never
            // holds its whole COPY text, and a copy of it, in memory at once.
            StringBuilder text = new StringBuilder((int) Math.min(rows.size() * 256L, CHUNK_CHARS));
            for (T row : rows) {
                List<?> values = fields.apply(row);
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        text.append('\t');
                    }
                    appendField(text, values.get(i));
                }
                text.append('\n');
                if (text.length() >= CHUNK_CHARS) {
                    send(in, text);
                }
            }
            send(in, text);
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

    private static void send(CopyIn in, StringBuilder text) throws SQLException {
        if (text.length() > 0) {
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(bytes, 0, bytes.length);
            text.setLength(0);
        }
    }

    /** COPY's text format: {@code \N} is NULL; backslash and the row and column delimiters are escaped. */
    static void appendField(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        String s = value instanceof java.time.Instant i ? Snapshots.text(i) : value.toString();
        // Most fields need no escape: four vectorized scans and one bulk copy beat a loop over the chars.
        if (s.indexOf('\\') < 0 && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            out.append(s);
            return;
        }
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            String escape = switch (s.charAt(i)) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (escape != null) {
                out.append(s, from, i).append(escape);
                from = i + 1;
            }
        }
        out.append(s, from, s.length());
    }
}
