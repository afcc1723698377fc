package dev.agentfactory.relay.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.agentfactory.relay.change.RowChange;

/**
 * Builds audit events from whole transactions. An entity row change is joined with the version row the
 * worker wrote in the same transaction (actor, eventId, change type); a version row without a matching
 * entity row change (the worker folded several versions into one row update) becomes an event of its own,
 * so every version appears once. History entries and PRD links are events of their parent entity.
 */
public final class AuditEvents {

    private final Rows rows;

    public AuditEvents(Rows rows) {
        this.rows = rows;
    }

    public List<AuditEvent> of(List<RowChange> changes) {
        Map<String, Map<String, Object>> versionRows = new HashMap<>();
        Map<String, Map<String, Object>> linkVersions = new HashMap<>();
        for (RowChange c : changes) {
            if (c.after() != null && (c.table().equals("agent_versions") || c.table().equals("prd_versions"))) {
                versionRows.put(versionKey(c, parentId(c), Rows.num(c.after(), "version")), c.after());
                String type = Rows.str(c.after(), "change_type");
                if (type.equals("link") || type.equals("unlink")) {
                    linkVersions.put(c.txId() + ":" + parentId(c), c.after());
                }
            }
        }
        Set<Map<String, Object>> joined = Collections.newSetFromMap(new IdentityHashMap<>());
        List<AuditEvent> events = new ArrayList<>();
        for (RowChange c : changes) {
            switch (c.table()) {
                case "agents", "prds" -> {
                    Map<String, Object> r = c.row();
                    long version = Rows.num(r, "version");
                    Map<String, Object> v = versionRows.get(versionKey(c, Rows.uuid(r, "id"), version));
                    if (v != null) {
                        joined.add(v);
                    }
                    String op = v != null ? Rows.str(v, "change_type") : defaultOp(c);
                    String actor = v != null ? Rows.str(v, "actor") : Rows.str(r, "updated_by");
                    events.add(event(c, op, entity(c), Rows.uuid(r, "id"), version, actor, v));
                }
                case "agent_history" -> events.add(event(c, "history", "agent", Rows.uuid(c.row(), "agent_id"), null,
                        Rows.str(c.row(), "actor"), c.row()));
                case "prd_agents" -> {
                    UUID prdId = Rows.uuid(c.row(), "prd_id");
                    Map<String, Object> v = linkVersions.get(c.txId() + ":" + prdId);
                    String op = c.isDelete() ? "unlink" : "link";
                    events.add(event(c, op, "prd", prdId, v == null ? null : Rows.num(v, "version"),
                            v != null ? Rows.str(v, "actor") : Rows.str(c.row(), "linked_by"), v));
                }
                default -> {
                }
            }
        }
        for (RowChange c : changes) {
            if (c.after() != null && !joined.contains(c.after())
                    && (c.table().equals("agent_versions") || c.table().equals("prd_versions"))) {
                Map<String, Object> v = c.after();
                events.add(new AuditEvent(AuditEvent.SCHEMA, Rows.str(v, "change_type"), entity(c), parentId(c),
                        Rows.num(v, "version"), c.table(), null, rows.object(v, "snapshot"), Rows.str(v, "actor"),
                        Rows.uuid(v, "event_id"), c.txId(), c.lsn(), c.commitTime()));
            }
        }
        return events;
    }

    private AuditEvent event(RowChange c, String op, String entity, UUID id, Long version, String actor,
                             Map<String, Object> source) {
        UUID eventId = source == null ? null : Rows.uuid(source, "event_id");
        return new AuditEvent(AuditEvent.SCHEMA, op, entity, id, version, c.table(), rows.plain(c.before()),
                rows.plain(c.after()), actor, eventId, c.txId(), c.lsn(), c.commitTime());
    }

    private static String defaultOp(RowChange c) {
        return switch (c.op()) {
            case INSERT -> "create";
            case UPDATE -> c.after().get("deleted_at") != null ? "delete" : "update";
            case DELETE -> "purge";
            case SNAPSHOT -> "snapshot";
        };
    }

    private static String entity(RowChange c) {
        return c.table().startsWith("agent") ? "agent" : "prd";
    }

    private static UUID parentId(RowChange c) {
        return Rows.uuid(c.row(), c.table().equals("agent_versions") ? "agent_id" : "prd_id");
    }

    private static String versionKey(RowChange c, UUID id, long version) {
        return c.txId() + ":" + id + ":" + version;
    }
}
