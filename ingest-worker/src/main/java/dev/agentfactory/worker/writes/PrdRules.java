package dev.agentfactory.worker.writes;

import java.util.Set;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import tools.jackson.databind.node.ObjectNode;

/** The version and lifecycle rules of PRD commands, applied in memory to the batch's locked rows. */
final class PrdRules {

    /** The same lifecycle as {@code factory.prd_status_transition_allowed} in the V1 migration. */
    private static final Set<String> TRANSITIONS = Set.of("draft>review", "review>draft", "review>approved",
            "approved>archived", "draft>archived", "review>archived");

    private final VersionBump versions;

    PrdRules(VersionBump versions) {
        this.versions = versions;
    }

    static boolean transitionAllowed(String from, String to) {
        return from.equals(to) || TRANSITIONS.contains(from + ">" + to);
    }

    Decision apply(WriteEnvelope e, BatchState s) {
        PrdRow row = s.prds.get(e.entityId());
        if (e.command() instanceof WriteCommand.PrdCreate c) {
            return create(e, c, row, s);
        }
        Decision refused = row == null ? Decision.precondition("PRD", e.entityId(), false, null, 0, null)
                : Decision.precondition("PRD", e.entityId(), true, row.deletedAt, row.version, e.expectedVersion());
        if (refused != null) {
            return refused;
        }
        switch (e.type()) {
            case PRD_UPDATE -> {
                return update(e, ((WriteCommand.PrdUpdate) e.command()).patch(), row, s);
            }
            case PRD_LINK_AGENT -> {
                WriteCommand.PrdLinkAgent l = (WriteCommand.PrdLinkAgent) e.command();
                AgentRow agent = s.linkableAgent(l.agentId());
                if (agent == null || agent.deletedAt != null) {
                    return Decision.rejected("agent " + l.agentId() + (agent == null ? " does not exist" : " is deleted"));
                }
                String role = l.role() != null ? l.role() : "implementer";
                PrdRow.Link current = row.links.get(l.agentId());
                if (current != null && current.role().equals(role)) {
                    return Decision.applied(row.version);
                }
                row.links.put(l.agentId(), new PrdRow.Link(role, e.occurredAt(), e.actor()));
                return bump(row, e, s, "link", () -> {
                    if (current == null) {
                        row.links.remove(l.agentId());
                    } else {
                        row.links.put(l.agentId(), current);
                    }
                });
            }
            case PRD_UNLINK_AGENT -> {
                if (row.links.remove(((WriteCommand.PrdUnlinkAgent) e.command()).agentId()) == null) {
                    return Decision.applied(row.version);
                }
                return bump(row, e, s, "unlink", null);
            }
            case PRD_DELETE -> {
                row.deletedAt = e.occurredAt();
                return bump(row, e, s, "delete", null);
            }
            default -> throw new IllegalArgumentException("not a PRD command: " + e.type());
        }
    }

    private Decision update(WriteEnvelope e, ObjectNode patch, PrdRow row, BatchState s) {
        String status = patch.has("status") ? patch.get("status").stringValue() : row.status;
        if (!transitionAllowed(row.status, status)) {
            return Decision.rejected("PRD " + row.id + " cannot move from " + row.status + " to " + status);
        }
        String title = patch.has("title") ? patch.get("title").stringValue() : row.title;
        String body = patch.has("body") ? patch.get("body").stringValue() : row.body;
        String owner = patch.has("owner") ? patch.get("owner").stringValue() : row.owner;
        ObjectNode metadata = patch.has("metadata")
                ? MergePatch.apply(row.metadata, (ObjectNode) patch.get("metadata")) : row.metadata;
        if (title.equals(row.title) && body.equals(row.body) && status.equals(row.status)
                && java.util.Objects.equals(owner, row.owner) && metadata.equals(row.metadata)) {
            return Decision.applied(row.version);
        }
        boolean statusChanged = !status.equals(row.status);
        String title0 = row.title;
        String body0 = row.body;
        String owner0 = row.owner;
        ObjectNode metadata0 = row.metadata;
        String status0 = row.status;
        row.title = title;
        row.body = body;
        row.owner = owner;
        row.metadata = metadata;
        row.status = status;
        Decision d = bump(row, e, s, "update", () -> {
            row.title = title0;
            row.body = body0;
            row.owner = owner0;
            row.metadata = metadata0;
            row.status = status0;
        });
        if (statusChanged && d.status() == WriteOutcome.Status.APPLIED) {
            row.statusSteps.add(row.copy());
        }
        return d;
    }

    private Decision create(WriteEnvelope e, WriteCommand.PrdCreate c, PrdRow existing, BatchState s) {
        if (existing != null) {
            return Decision.conflict(existing.version, "PRD " + e.entityId() + " already exists");
        }
        if (e.expectedVersion() != null && e.expectedVersion() != 0) {
            return Decision.conflict(0, "expected version " + e.expectedVersion() + " but the PRD does not exist");
        }
        java.util.UUID holder = s.prdSlugs.get(c.slug());
        if (holder != null && !holder.equals(e.entityId())) {
            return Decision.rejected("slug '" + c.slug() + "' is taken by PRD " + holder);
        }
        PrdRow row = new PrdRow(e.entityId());
        row.slug = c.slug();
        row.title = c.title();
        row.body = c.body() != null ? c.body() : "";
        row.status = c.status() != null ? c.status() : "draft";
        row.metadata = AgentRules.orEmpty(c.metadata());
        row.owner = c.owner();
        return versions.create(row, "PRD", e, s.prdVersions, () -> {
            s.prds.put(row.id, row);
            s.prdSlugs.put(row.slug, row.id);
        });
    }

    private Decision bump(PrdRow row, WriteEnvelope e, BatchState s, String changeType, Runnable undo) {
        return versions.bump(row, "PRD", e, s.prdVersions, changeType, undo);
    }
}
