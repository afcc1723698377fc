package dev.agentfactory.relay.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentfactory.relay.change.RowChange;

/**
 * Builds audit events from whole transactions. An entity row change is joined with the version row the
 * worker wrote in the same transaction (actor, eventId, change type); a version row without a matching
 * entity row change (the worker folded several versions into one row update) becomes an event of its own,
 * so every version appears once. History entries and PRD links are events of their parent entity. Events go
 * out transaction by transaction, each entity's in version order, so one entity's events are in commit order.
 */
public final class AuditEvents {

    private static final Logger log = LoggerFactory.getLogger(AuditEvents.class);
    /**
     * What the delete events of an operator's purge carry in {@code before} (and no actor or eventId, which were the
     * deleted row's writer's): the deleted row's identity, never its content, which an erasure must not publish
     * again (a history entry's delete reaches the relay whole since V4_5 gave the table a full replica identity).
     * Enough for {@code ops replay} to apply them.
     */
    private static final Map<String, List<String>> PURGED_IDENTITY = Map.of(
            "agents", List.of("id", "version", "created_at"), "prds", List.of("id", "version", "created_at"),
            "agent_history", List.of("seq", "agent_id"));

    private final Rows rows;

    public AuditEvents(Rows rows) {
        this.rows = rows;
    }

    public List<AuditEvent> of(List<RowChange> changes) {
        Map<String, Map<String, Object>> versionRows = new HashMap<>();
        Map<String, List<Map<String, Object>>> linkVersions = new HashMap<>();
        for (RowChange c : changes) {
            if (c.after() != null && (c.table().equals("agent_versions") || c.table().equals("prd_versions"))) {
                versionRows.put(versionKey(c, parentId(c), Rows.num(c.after(), "version")), c.after());
                String type = Rows.str(c.after(), "change_type");
                if (type.equals("link") || type.equals("unlink")) {
                    linkVersions.computeIfAbsent(c.txId() + ":" + parentId(c), k -> new ArrayList<>()).add(c.after());
                }
            }
        }
        Set<Map<String, Object>> joined = Collections.newSetFromMap(new IdentityHashMap<>());
        List<AuditEvent> events = new ArrayList<>();
        List<AuditEvent> tx = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < changes.size(); i++) {
            RowChange c = changes.get(i);
            switch (c.table()) {
                case "agents", "prds" -> {
                    Map<String, Object> r = c.row();
                    long version = Rows.num(r, "version");
                    Map<String, Object> v = versionRows.get(versionKey(c, Rows.uuid(r, "id"), version));
                    if (v != null) {
                        joined.add(v);
                    }
                    String op = v != null ? Rows.str(v, "change_type") : defaultOp(c);
                    // a purge names no actor: the deleted row's last writer is not who purged it
                    String actor = v != null ? Rows.str(v, "actor") : c.isDelete() ? null : Rows.str(r, "updated_by");
                    tx.add(event(c, op, entity(c), Rows.uuid(r, "id"), version, actor, v));
                }
                case "agent_history" -> {
                    Object agent = c.row().get("agent_id");
                    if (agent == null || agent.toString().isEmpty()) {
                        // a key-only delete, written before V4_5 gave the table its full identity: whose entry it
                        // was is unknown; the agent's purge event stands for it
                        log.warn("audit: history delete of seq {} at lsn {} names no agent; not published",
                                c.row().get("seq"), c.lsn());
                    } else {
                        tx.add(event(c, "history", "agent", UUID.fromString(agent.toString()), null,
                                c.isDelete() ? null : Rows.str(c.row(), "actor"), c.isDelete() ? null : c.row()));
                    }
                }
                case "prd_agents" -> {
                    UUID prdId = Rows.uuid(c.row(), "prd_id");
                    Map<String, Object> v = linkVersion(c, prdId,
                            linkVersions.getOrDefault(c.txId() + ":" + prdId, List.of()), versionRows);
                    String op = c.isDelete() ? "unlink" : "link";
                    // an unlink no version row records is a purge's: the link's writer did not make it
                    tx.add(event(c, op, "prd", prdId, v == null ? null : Rows.num(v, "version"),
                            v != null ? Rows.str(v, "actor") : c.isDelete() ? null : Rows.str(c.row(), "linked_by"), v));
                }
                default -> {
                }
            }
            if (i + 1 == changes.size() || !Objects.equals(changes.get(i + 1).txId(), c.txId())) {
                tx.addAll(unjoinedVersions(changes.subList(from, i + 1), joined));
                events.addAll(inVersionOrder(tx));
                tx.clear();
                from = i + 1;
            }
        }
        return events;
    }

    /** Events of the transaction's version rows that no entity row change carries (folded versions). */
    private List<AuditEvent> unjoinedVersions(List<RowChange> transaction, Set<Map<String, Object>> joined) {
        List<AuditEvent> events = new ArrayList<>();
        for (RowChange c : transaction) {
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

    /**
     * One transaction's events with each entity's versioned events in version order, in the places those events
     * held (events without a version, such as history entries, stay where they are). The entity row change
     * carries the last version of a fold and comes first in the WAL, so without this a consumer taking an entity's
     * last event for its state would end a transaction at an older version.
     */
    private static List<AuditEvent> inVersionOrder(List<AuditEvent> tx) {
        Map<String, List<Integer>> places = new HashMap<>();
        for (int i = 0; i < tx.size(); i++) {
            AuditEvent e = tx.get(i);
            if (e.version() != null) {
                places.computeIfAbsent(e.entity() + ":" + e.id(), k -> new ArrayList<>()).add(i);
            }
        }
        List<AuditEvent> ordered = new ArrayList<>(tx);
        for (List<Integer> at : places.values()) {
            List<AuditEvent> sorted = at.stream().map(tx::get).sorted(Comparator.comparing(AuditEvent::version))
                    .toList();
            for (int k = 0; k < at.size(); k++) {
                ordered.set(at.get(k), sorted.get(k));
            }
        }
        return ordered;
    }

    private AuditEvent event(RowChange c, String op, String entity, UUID id, Long version, String actor,
                             Map<String, Object> source) {
        UUID eventId = source == null ? null : Rows.uuid(source, "event_id");
        List<String> identity = c.isDelete() ? PURGED_IDENTITY.get(c.table()) : null;
        Map<String, Object> before = identity == null ? rows.plain(c.before()) : identityOf(c.before(), identity);
        return new AuditEvent(AuditEvent.SCHEMA, op, entity, id, version, c.table(), before,
                rows.plain(c.after()), actor, eventId, c.txId(), c.lsn(), c.commitTime());
    }

    private static Map<String, Object> identityOf(Map<String, Object> row, List<String> columns) {
        Map<String, Object> identity = new LinkedHashMap<>();
        for (String column : columns) {
            identity.put(column, row.get(column));
        }
        return identity;
    }

    /**
     * The version row of the command that left this link as written. The worker writes a batch's net link
     * changes once, so several link and unlink versions of one PRD may share a transaction: the last one of the
     * same kind that changed the agent's link to what the row shows (its snapshot shows it so, the snapshot of
     * the version before it in the transaction does not). Null when none did (e.g. link then unlink).
     */
    private Map<String, Object> linkVersion(RowChange c, UUID prdId, List<Map<String, Object>> candidates,
                                            Map<String, Map<String, Object>> versionRows) {
        String agentId = Rows.str(c.row(), "agent_id");
        String type = c.isDelete() ? "unlink" : "link";
        Object written = c.isDelete() ? null : Rows.str(c.row(), "role");
        for (int i = candidates.size() - 1; i >= 0; i--) {
            Map<String, Object> v = candidates.get(i);
            if (!type.equals(Rows.str(v, "change_type"))
                    || !Objects.equals(linkedRole(rows.object(v, "snapshot"), agentId), written)) {
                continue;
            }
            Map<String, Object> previous = versionRows.get(versionKey(c, prdId, Rows.num(v, "version") - 1));
            if (previous == null || !Objects.equals(linkedRole(rows.object(previous, "snapshot"), agentId), written)) {
                return v;
            }
        }
        return null;
    }

    /** The role a version snapshot's {@code agents} list gives the agent, null when it is not linked. */
    private static Object linkedRole(Map<String, Object> snapshot, String agentId) {
        if (snapshot.get("agents") instanceof List<?> agents) {
            for (Object a : agents) {
                if (a instanceof Map<?, ?> link && agentId.equals(link.get("agent_id"))) {
                    return link.get("role");
                }
            }
        }
        return null;
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
