package dev.agentfactory.store;

import java.time.Instant;
import java.util.Locale;

/**
 * The optional filters and order of an entity list beyond its status: what the dashboard's list views
 * ask for. {@code text} matches the entity's display name (agent name, PRD title) case-insensitively
 * as a substring, taken literally (no wildcards).
 *
 * @param updatedSince only entities updated at or after this instant (null: any)
 * @param text         substring of the name or title (null or blank: any)
 * @param ascending    oldest first by {@code (updated_at, id)} instead of newest first
 */
public record ListFilter(Instant updatedSince, String text, boolean ascending) {

    /** No filter, newest first: what {@code list(status, cursor, limit)} returns. */
    public static final ListFilter NONE = new ListFilter(null, null, false);

    public ListFilter {
        text = text == null || text.isBlank() ? null : text;
        updatedSince = StoreJson.micros(updatedSince);
    }

    /** The text as a {@code LIKE} pattern with its wildcards escaped ({@code \} is the escape). */
    public String likePattern() {
        return text == null ? null
                : "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** For in-memory filtering: whether {@code value} contains the text, ignoring case. */
    public boolean matches(String value) {
        return text == null || value != null
                && value.toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT));
    }

    public boolean admits(Instant updatedAt) {
        return updatedSince == null || !updatedAt.isBefore(updatedSince);
    }
}
