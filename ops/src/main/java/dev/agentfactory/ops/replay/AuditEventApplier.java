package dev.agentfactory.ops.replay;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.store.replica.ReplicaApply;
import dev.agentfactory.store.replica.ReplicaSession;
import dev.agentfactory.store.replica.RowApplier;
import dev.agentfactory.store.replica.StandbyPurgeFloors;
import dev.agentfactory.store.replica.TableSpec;

/**
 * Turns one audit event ({@code factory.audit.v1}, cdc-relay/README.md) into the rows it stands for: the
 * entity row's after-image (version-guarded), its version row and dedup record, a history entry, a PRD link
 * or unlink, and the deletes of an operator's purge (a history entry by its key, an entity with what references
 * it, {@link Purge}). Entity rows are version-guarded upserts, rows that never change once written are inserted only
 * when absent (a surviving original is never overwritten by its reconstruction), links and unlinks go by key unless
 * the stored PRD is newer than the version they made, so events may repeat and events
 * already contained in a restored backup change nothing. With reference checks on (no replica mode) it keeps
 * parents ahead of their children in each flush ({@link ParentsFirst}); the caller supplies a dependency-safe
 * event order ({@link WatermarkMerge}).
 */
final class AuditEventApplier {

    private static final String BYTEA = "bytea";
    private static final String BYTEA_ARRAY = "bytea[]";

    private final Connection target;
    private final RowApplier rows;
    private ParentsFirst order = new ParentsFirst(true);
    /**
     * PRDs with a guarded link batched: RowApplier sends the PRD rows' batch ahead of the links', so a later
     * version of such a PRD is flushed after them, or the links' guard would read it and skip them.
     */
    private final Set<String> linksAwaitingTheirPrd = new HashSet<>();

    /**
     * The target's purge floors as committed when the current transaction began: a standby's events from before a
     * purge it applied are not replayed.
     */
    private StandbyPurgeFloors purgeFloors;

    /** {@code rows} applies to {@code target}, where purges run their own statements. */
    AuditEventApplier(Connection target, RowApplier rows) {
        this.target = target;
        this.rows = rows;
    }

    /** Whether the event is one of a purged entity's (or of a link to one) from before its purge. */
    private boolean beforeAPurge(Map<String, Object> e, Map<String, Object> after, Map<String, Object> before) {
        Map<String, Object> link = "prd_agents".equals(e.get("table")) ? (after != null ? after : before) : null;
        return purgeFloors.beforeAPurge(String.valueOf(e.get("entity")), String.valueOf(e.get("id")),
                e.get("lsn") instanceof Number lsn ? lsn.longValue() : null,
                link == null ? null : String.valueOf(link.get("agent_id")));
    }

    /**
     * At the start of each transaction, after the standby apply lock ({@link ReplayTransactions}): reads the purge
     * floors the relay's sink has committed by now (a purge it applies during a replay must stop the replay's older
     * events of that entity from the next transaction on) and puts the transaction in replica mode where the session
     * may (no triggers, no foreign keys), or else marks it as a copy ({@link ReplicaApply}: the PRD status rule steps
     * aside).
     */
    void begin() throws SQLException {
        purgeFloors = StandbyPurgeFloors.readAll(target);
        order = new ParentsFirst(!ReplicaSession.enter(target));
        ReplicaApply.mark(target); // without replica mode: events of a PRD may skip versions (V4_6)
    }

    /** Sends what is batched; the caller then commits. */
    void flush() throws SQLException {
        rows.flush();
        order.flushed();
        linksAwaitingTheirPrd.clear();
    }

    /**
     * A link or unlink. With the PRD version it made (the relay takes it from the version row of its transaction)
     * it applies only while the stored PRD is not newer, so a database ahead of the events (a standby the relay fed
     * further than the topics hold, a backup that already has a later state) keeps its later links: links carry
     * no version of their own and would otherwise be set by key, the last event winning. Without one (a snapshot
     * read, a purge, a link and unlink folded into one transaction) it applies by key.
     */
    private void link(Map<String, Object> e, Map<String, Object> after, Map<String, Object> before)
            throws SQLException {
        TableSpec links = TableSpec.PRD_AGENTS;
        Object version = e.get("version");
        if (version == null) {
            if (after != null) {
                write(links).upsert(links, after);
            } else {
                write(links).delete(links, before);
            }
            return;
        }
        long v = ((Number) version).longValue();
        Map<String, Object> row = after != null ? after : before;
        if (after != null) {
            write(links).upsertUnlessParentNewer(links, row, TableSpec.PRDS, "prd_id", v);
        } else {
            write(links).deleteUnlessParentNewer(links, row, TableSpec.PRDS, "prd_id", v);
        }
        linksAwaitingTheirPrd.add(String.valueOf(row.get("prd_id")));
    }

    @SuppressWarnings("unchecked")
    void apply(Map<String, Object> e) throws SQLException {
        String table = (String) e.get("table");
        // a version event's image is the entity's snapshot (jsonb), not a row of its own table
        TableSpec image = switch (table) {
            case "agents", "prds", "agent_history", "prd_agents" -> TableSpec.named(table);
            default -> null;
        };
        Map<String, Object> after = binary(image, (Map<String, Object>) e.get("after"));
        Map<String, Object> before = binary(image, (Map<String, Object>) e.get("before"));
        if (beforeAPurge(e, after, before)) {
            return;
        }
        switch (table) {
            case "agents", "prds" -> {
                TableSpec spec = TableSpec.named(table);
                if (linksAwaitingTheirPrd.contains(String.valueOf(e.get("id")))) {
                    flush(); // the links' guard must read the PRD as it was before this later version
                }
                if (after != null) {
                    write(spec).upsert(spec, after);
                } else if (before != null) {
                    flush(); // the entity's earlier changes first, then the purge's own statements
                    Purge.apply(target, table, before);
                }
                versionRow(e, after);
            }
            case "agent_versions", "prd_versions" -> versionRow(e, after);
            case "agent_history" -> {
                if (after != null) {
                    write(TableSpec.AGENT_HISTORY).insertIfAbsent(TableSpec.AGENT_HISTORY, after);
                    processed(e, null);
                } else if (before != null) {    // a purge deletes the entries one by one (by seq) before the agent
                    write(TableSpec.AGENT_HISTORY).delete(TableSpec.AGENT_HISTORY, before);
                }
            }
            case "prd_agents" -> link(e, after, before);
            default -> throw new IllegalArgumentException("audit event for unknown table " + table);
        }
    }

    /**
     * The row image with its bytea values as bytes. The relay's engine hands bytea over as bytes (Debezium's
     * default {@code binary.handling.mode=bytes}) and its JSON mapper writes bytes as base64 text, so in an
     * audit event a bytea value is a base64 string (a bytea[] value a list of them); written as-is it would
     * store the base64 characters themselves. Which columns are bytea comes from the target's catalog, as
     * for every other type; the bytes then go out in bytea's hex form as the standby sink's do (store's PgText).
     */
    private Map<String, Object> binary(TableSpec table, Map<String, Object> row) throws SQLException {
        if (row == null || table == null) {
            return row;
        }
        Map<String, Object> out = null;
        for (Map.Entry<String, Object> c : row.entrySet()) {
            if (c.getValue() == null) {
                continue;
            }
            String type = rows.columnType(table, c.getKey());
            if (BYTEA.equals(type) || BYTEA_ARRAY.equals(type)) {
                if (out == null) {
                    out = new LinkedHashMap<>(row);
                }
                out.put(c.getKey(), fromBase64(c.getValue()));
            }
        }
        return out == null ? row : out;
    }

    /** A bytea value of an audit event (base64 text, or a list of them for bytea[]) as bytes. */
    static Object fromBase64(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a bytea value of an audit event is not base64: " + e.getMessage(), e);
            }
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AuditEventApplier::fromBase64).toList();
        }
        throw new IllegalArgumentException("a bytea value of an audit event is neither base64 text nor a list: "
                + value.getClass().getSimpleName());
    }

    /**
     * The version snapshot and dedup record of an event that carries the worker's eventId. The audit contract
     * carries the snapshot as the entity's after-image, and the commit time in place of the version row's
     * own timestamp; those two columns are therefore close to, not equal to, the lost originals.
     */
    private void versionRow(Map<String, Object> e, Map<String, Object> snapshot) throws SQLException {
        Object eventId = e.get("eventId");
        Object version = e.get("version");
        if (eventId == null || version == null || snapshot == null) {
            return;
        }
        boolean agent = "agent".equals(e.get("entity"));
        Map<String, Object> v = new LinkedHashMap<>();
        v.put(agent ? "agent_id" : "prd_id", e.get("id"));
        v.put("version", version);
        v.put("change_type", e.get("op"));
        v.put("snapshot", snapshot);
        v.put("actor", e.get("actor"));
        v.put("event_id", eventId);
        v.put("committed_at", e.get("commitTime"));
        TableSpec versions = agent ? TableSpec.AGENT_VERSIONS : TableSpec.PRD_VERSIONS;
        write(versions).insertIfAbsent(versions, v);
        processed(e, version);
    }

    /** So the worker, re-reading the write topics from the backup's ingest offsets, sees duplicates. */
    private void processed(Map<String, Object> e, Object version) throws SQLException {
        if (e.get("eventId") == null) {
            return;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event_id", e.get("eventId"));
        p.put("entity_type", e.get("entity"));
        p.put("entity_id", e.get("id"));
        p.put("command_type", commandType((String) e.get("entity"), (String) e.get("op")));
        p.put("outcome", "APPLIED");
        p.put("version", version);
        p.put("processed_at", e.get("commitTime"));
        write(TableSpec.PROCESSED_EVENTS).insertIfAbsent(TableSpec.PROCESSED_EVENTS, p);
    }

    /** The applier, after flushing first if a row of {@code table} would otherwise go out behind its children. */
    private RowApplier write(TableSpec table) throws SQLException {
        if (order.mustFlushBefore(table.name())) {
            flush();
        }
        order.wrote(table.name());
        return rows;
    }

    static String commandType(String entity, String op) {
        return entity + "." + switch (op) {
            case "state" -> "state.put";
            case "history" -> "history.append";
            case "link" -> "link-agent";
            case "unlink" -> "unlink-agent";
            default -> op;
        };
    }
}
