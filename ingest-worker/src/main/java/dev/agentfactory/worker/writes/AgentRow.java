package dev.agentfactory.worker.writes;

import java.util.UUID;

import tools.jackson.databind.node.ObjectNode;

/**
 * An agent row as a batch sees it: loaded once (locked), changed in memory by each event in order,
 * written once at the end. Mutable on purpose: it lives inside one transaction on one thread.
 */
final class AgentRow extends EntityRow {
    String slug;
    String name;
    String kind;
    String status;
    ObjectNode config;
    ObjectNode state;
    ObjectNode metadata;
    /** Loaded from the table (an update); false for an agent this batch creates, which is COPYed. */
    boolean stored;
    final Snapshots.Memo configText = new Snapshots.Memo();
    final Snapshots.Memo stateText = new Snapshots.Memo();
    final Snapshots.Memo metadataText = new Snapshots.Memo();

    AgentRow(UUID id) {
        super(id);
    }

    /** The row's columns under their column names, as {@code to_jsonb(row)} has them. */
    @Override
    String snapshot(Snapshots snapshots) {
        JsonObjectText s = new JsonObjectText().string("id", id.toString()).string("slug", slug).string("name", name)
                .string("kind", kind).string("status", status).raw("config", configText.text(config, snapshots))
                .raw("state", stateText.text(state, snapshots)).raw("metadata", metadataText.text(metadata, snapshots));
        return Snapshots.bookkeeping(s, version, createdAt, createdBy, updatedAt, updatedBy, deletedAt).close();
    }
}
