package dev.agentfactory.store.prd;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.agentfactory.store.Change;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.TextLength;
import dev.agentfactory.store.audit.AuditEntry;

/** What both PRD repositories decide the same way (see {@code AgentRules}). */
final class PrdRules {

    private static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9-]{0,99}$");
    private static final int MAX_BODY_BYTES = 1_048_576;

    private PrdRules() {
    }

    static Prd normalized(Prd p) {
        return new Prd(p.id(), p.slug(), p.title(), p.body() == null ? "" : p.body(),
                p.status() == null ? PrdStatus.DRAFT : p.status(), p.metadata() == null ? Map.of() : p.metadata(),
                p.owner(), p.version(), StoreJson.micros(p.createdAt()), p.createdBy(), StoreJson.micros(p.updatedAt()),
                p.updatedBy(), StoreJson.micros(p.deletedAt()));
    }

    static Optional<String> violation(Prd p) {
        if (p.id() == null || p.slug() == null || p.title() == null || p.createdAt() == null || p.updatedAt() == null
                || p.createdBy() == null || p.updatedBy() == null) {
            return Optional.of("id, slug, title, created/updated at and by are required");
        }
        if (!SLUG.matcher(p.slug()).matches()) {
            return Optional.of("slug '" + p.slug() + "' must be lowercase letters, digits and '-' (1-100)");
        }
        if (!TextLength.within(p.title(), 1, 300)) {
            return Optional.of("title must be 1-300 characters");
        }
        if (p.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            return Optional.of("body must be at most 1 MiB");
        }
        return Optional.empty();
    }

    static Optional<String> transition(PrdStatus from, PrdStatus to) {
        return from.canMoveTo(to) ? Optional.empty()
                : Optional.of("PRD cannot move from " + from.dbValue() + " to " + to.dbValue());
    }

    static PrdAgentLink normalized(PrdAgentLink l) {
        return new PrdAgentLink(l.prdId(), l.agentId(), l.role() == null ? "implementer" : l.role(),
                StoreJson.micros(l.linkedAt()), l.linkedBy());
    }

    /** The rule of prd_agents_role_length, checked first so both stores answer with the same reason. */
    static Optional<String> violation(PrdAgentLink l) {
        return TextLength.within(l.role(), 1, 100) ? Optional.empty()
                : Optional.of("role must be 1-100 characters");
    }

    /** The position of a page of an agent's links: only the PRD id orders them (the time is the link's, unused). */
    static String agentLinkCursor(PrdAgentLink l) {
        return Cursor.encode(l.linkedAt(), l.prdId());
    }

    static Map<String, Object> linkDetails(PrdAgentLink l) {
        return Map.of("agent_id", l.agentId().toString(), "role", l.role());
    }

    static AuditEntry audit(UUID prdId, Long version, Change change, Map<String, Object> details) {
        return new AuditEntry(0, "prd", prdId, version, change.commandType(), change.actor(), change.eventId(),
                StoreJson.micros(change.occurredAt()), null, details);
    }
}
