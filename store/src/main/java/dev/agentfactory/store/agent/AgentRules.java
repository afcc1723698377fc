package dev.agentfactory.store.agent;

import java.util.Map;
import java.util.UUID;

import dev.agentfactory.store.Change;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.TextLength;
import dev.agentfactory.store.audit.AuditEntry;

/** What both agent repositories decide the same way: normalization, the version-clash verdict, audit rows. */
final class AgentRules {

    private static final java.util.regex.Pattern SLUG = java.util.regex.Pattern.compile("^[a-z0-9][a-z0-9-]{0,99}$");

    private AgentRules() {
    }

    /** Timestamps at PostgreSQL's precision and empty objects for absent JSON, so both stores hold the same value. */
    static Agent normalized(Agent a) {
        return new Agent(a.id(), a.slug(), a.name(), a.kind(), a.status() == null ? AgentStatus.ACTIVE : a.status(),
                a.config() == null ? Map.of() : a.config(), a.state() == null ? Map.of() : a.state(),
                a.metadata() == null ? Map.of() : a.metadata(), a.version(), StoreJson.micros(a.createdAt()),
                a.createdBy(), StoreJson.micros(a.updatedAt()), a.updatedBy(), StoreJson.micros(a.deletedAt()));
    }

    /** The rules of the table's check constraints, checked first so both stores answer with the same reason. */
    static java.util.Optional<String> violation(Agent a) {
        if (a.id() == null || a.slug() == null || a.name() == null || a.kind() == null || a.createdAt() == null
                || a.updatedAt() == null || a.createdBy() == null || a.updatedBy() == null) {
            return java.util.Optional.of("id, slug, name, kind, created/updated at and by are required");
        }
        if (!SLUG.matcher(a.slug()).matches()) {
            return java.util.Optional.of("slug '" + a.slug() + "' must be lowercase letters, digits and '-' (1-100)");
        }
        if (!TextLength.within(a.name(), 1, 200)) {
            return java.util.Optional.of("name must be 1-200 characters");
        }
        if (!TextLength.within(a.kind(), 1, 100)) {
            return java.util.Optional.of("kind must be 1-100 characters");
        }
        return java.util.Optional.empty();
    }

    static AuditEntry audit(UUID agentId, Long version, Change change) {
        return new AuditEntry(0, "agent", agentId, version, change.commandType(), change.actor(), change.eventId(),
                StoreJson.micros(change.occurredAt()), null, Map.of("change_type", change.changeType()));
    }
}
