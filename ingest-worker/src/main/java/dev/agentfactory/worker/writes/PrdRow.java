package dev.agentfactory.worker.writes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import tools.jackson.databind.node.ObjectNode;

/** A PRD row plus its agent links, as one batch changes them in memory (see {@link AgentRow}). */
final class PrdRow extends EntityRow {
    String slug;
    String title;
    String body;
    String status;
    ObjectNode metadata;
    String owner;
    final Snapshots.Memo metadataText = new Snapshots.Memo();
    /** agentId -> link; sorted so snapshots are stable. */
    final Map<UUID, Link> links = new TreeMap<>();
    /** The links as loaded, to write only the difference. */
    Map<UUID, Link> loadedLinks = Map.of();
    /**
     * Copies of this row taken right after each status change but the last one. The status trigger checks
     * each transition, so a batch that moves a PRD draft -> review -> approved writes it in that many steps.
     */
    final List<PrdRow> statusSteps = new ArrayList<>();

    record Link(String role, Instant linkedAt, String linkedBy) {
    }

    PrdRow(UUID id) {
        super(id);
    }

    PrdRow copy() {
        PrdRow c = new PrdRow(id);
        c.slug = slug;
        c.title = title;
        c.body = body;
        c.status = status;
        c.metadata = metadata.deepCopy();
        c.owner = owner;
        c.version = version;
        c.createdAt = createdAt;
        c.createdBy = createdBy;
        c.updatedAt = updatedAt;
        c.updatedBy = updatedBy;
        c.deletedAt = deletedAt;
        return c;
    }

    /** The row's columns under their column names plus {@code agents}: the links at this version. */
    @Override
    String snapshot(Snapshots snapshots) {
        JsonObjectText s = new JsonObjectText().string("id", id.toString()).string("slug", slug).string("title", title)
                .string("body", body).string("status", status).raw("metadata", metadataText.text(metadata, snapshots))
                .string("owner", owner);
        Snapshots.bookkeeping(s, version, createdAt, createdBy, updatedAt, updatedBy, deletedAt);
        StringBuilder agents = new StringBuilder("[");
        links.forEach((agentId, link) -> agents.append(agents.length() > 1 ? "," : "")
                .append(new JsonObjectText().string("agent_id", agentId.toString()).string("role", link.role()).close()));
        return s.raw("agents", agents.append(']').toString()).close();
    }
}
