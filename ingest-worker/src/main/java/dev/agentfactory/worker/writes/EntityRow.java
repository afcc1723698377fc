package dev.agentfactory.worker.writes;

import java.time.Instant;
import java.util.UUID;

/**
 * The columns every agent and PRD row has, so one {@link VersionBump} can move either to its next version
 * (and put it back when the size limit refuses that version).
 */
abstract class EntityRow {
    final UUID id;
    long version;
    Instant createdAt;
    String createdBy;
    Instant updatedAt;
    String updatedBy;
    Instant deletedAt;
    boolean dirty;

    EntityRow(UUID id) {
        this.id = id;
    }

    /** The version snapshot: the row's columns under their column names, as stored per version. */
    abstract String snapshot(Snapshots snapshots);
}
