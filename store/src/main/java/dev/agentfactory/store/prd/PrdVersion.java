package dev.agentfactory.store.prd;

import java.time.Instant;
import java.util.UUID;

/** One row of {@code factory.prd_versions}: the full snapshot of a PRD at a version. */
public record PrdVersion(UUID prdId, long version, String changeType, Prd snapshot, String actor, UUID eventId,
                         Instant committedAt) {
}
