package dev.agentfactory.worker.writes;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The version rules of agent commands, applied in memory to the batch's locked rows. */
final class AgentRules {

    private final Snapshots snapshots;
    private final EntitySizeLimit limit;
    private final VersionBump versions;

    AgentRules(Snapshots snapshots, EntitySizeLimit limit, VersionBump versions) {
        this.snapshots = snapshots;
        this.limit = limit;
        this.versions = versions;
    }

    Decision apply(WriteEnvelope e, BatchState s) {
        AgentRow row = s.agents.get(e.entityId());
        if (e.command() instanceof WriteCommand.AgentCreate c) {
            return create(e, c, row, s);
        }
        Decision refused = row == null ? Decision.precondition("agent", e.entityId(), false, null, 0, null)
                : Decision.precondition("agent", e.entityId(), true, row.deletedAt, row.version, e.expectedVersion());
        if (refused != null) {
            return refused;
        }
        switch (e.type()) {
            case AGENT_UPDATE -> {
                ObjectNode patch = ((WriteCommand.AgentUpdate) e.command()).patch();
                String name = patch.has("name") ? patch.get("name").stringValue() : row.name;
                String status = patch.has("status") ? patch.get("status").stringValue() : row.status;
                ObjectNode config = patch.has("config") ? MergePatch.apply(row.config, (ObjectNode) patch.get("config")) : row.config;
                ObjectNode metadata = patch.has("metadata")
                        ? MergePatch.apply(row.metadata, (ObjectNode) patch.get("metadata")) : row.metadata;
                if (name.equals(row.name) && status.equals(row.status) && config.equals(row.config)
                        && metadata.equals(row.metadata)) {
                    return Decision.applied(row.version);
                }
                String name0 = row.name;
                String status0 = row.status;
                ObjectNode config0 = row.config;
                ObjectNode metadata0 = row.metadata;
                row.name = name;
                row.status = status;
                row.config = config;
                row.metadata = metadata;
                return bump(row, e, s, "update", () -> {
                    row.name = name0;
                    row.status = status0;
                    row.config = config0;
                    row.metadata = metadata0;
                });
            }
            case AGENT_STATE_PUT -> {
                ObjectNode state = ((WriteCommand.AgentStatePut) e.command()).state();
                if (state.equals(row.state)) {
                    return Decision.applied(row.version);
                }
                ObjectNode state0 = row.state;
                row.state = state;
                return bump(row, e, s, "state", () -> row.state = state0);
            }
            case AGENT_HISTORY_APPEND -> {
                // Each entry is a row of its own, so history never grows the agent; an entry is still held to the
                // same bound as every other JSON value the batch stages.
                WriteCommand.AgentHistoryAppend h = (WriteCommand.AgentHistoryAppend) e.command();
                String entry = snapshots.json(h.entry());
                String refusal = limit.refusal("the history entry for agent", row.id, entry);
                if (refusal != null) {
                    return Decision.rejected(refusal);
                }
                s.history.add(new BatchState.HistoryRow(row.id, h.kind(), entry,
                        h.recordedAt() != null ? CopyBinary.atMicros(h.recordedAt()) : e.occurredAt(), e.actor(),
                        e.eventId()));
                return Decision.applied(row.version);
            }
            case AGENT_DELETE -> {
                row.deletedAt = e.occurredAt();
                return bump(row, e, s, "delete", null);
            }
            default -> throw new IllegalArgumentException("not an agent command: " + e.type());
        }
    }

    private Decision create(WriteEnvelope e, WriteCommand.AgentCreate c, AgentRow existing, BatchState s) {
        if (existing != null) {
            return Decision.conflict(existing.version, "agent " + e.entityId() + " already exists");
        }
        if (e.expectedVersion() != null && e.expectedVersion() != 0) {
            return Decision.conflict(0, "expected version " + e.expectedVersion() + " but the agent does not exist");
        }
        java.util.UUID holder = s.agentSlugs.get(c.slug());
        if (holder != null && !holder.equals(e.entityId())) {
            return Decision.rejected("slug '" + c.slug() + "' is taken by agent " + holder);
        }
        AgentRow row = new AgentRow(e.entityId());
        row.slug = c.slug();
        row.name = c.name();
        row.kind = c.kind();
        row.status = c.status() != null ? c.status() : "active";
        row.config = orEmpty(c.config());
        row.state = orEmpty(c.state());
        row.metadata = orEmpty(c.metadata());
        return versions.create(row, "agent", e, s.agentVersions, () -> {
            s.agents.put(row.id, row);
            s.agentSlugs.put(row.slug, row.id);
        });
    }

    private Decision bump(AgentRow row, WriteEnvelope e, BatchState s, String changeType, Runnable undo) {
        return versions.bump(row, "agent", e, s.agentVersions, changeType, undo);
    }

    static ObjectNode orEmpty(ObjectNode node) {
        return node != null ? node : JsonNodeFactory.instance.objectNode();
    }
}
