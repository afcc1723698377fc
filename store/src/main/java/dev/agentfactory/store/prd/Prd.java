package dev.agentfactory.store.prd;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A product requirement document as stored ({@code factory.prds}); like {@code Agent}, also the
 * cached read model and the API representation. {@code body} is Markdown.
 */
public record Prd(
        UUID id,
        String slug,
        String title,
        String body,
        PrdStatus status,
        Map<String, Object> metadata,
        String owner,
        long version,
        Instant createdAt,
        String createdBy,
        Instant updatedAt,
        String updatedBy,
        Instant deletedAt) {

    public boolean deleted() {
        return deletedAt != null;
    }
}
