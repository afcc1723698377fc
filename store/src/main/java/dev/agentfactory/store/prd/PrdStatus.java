package dev.agentfactory.store.prd;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The PRD lifecycle: draft → review → approved → archived; review may return to draft and any
 * PRD not yet archived may be archived. The database enforces the same rule
 * ({@code factory.prd_status_transition_allowed}); this copy lets writers answer REJECTED early.
 */
public enum PrdStatus {
    DRAFT, REVIEW, APPROVED, ARCHIVED;

    private static final Map<PrdStatus, Set<PrdStatus>> NEXT = Map.of(
            DRAFT, Set.of(REVIEW, ARCHIVED),
            REVIEW, Set.of(DRAFT, APPROVED, ARCHIVED),
            APPROVED, Set.of(ARCHIVED),
            ARCHIVED, Set.of());

    public boolean canMoveTo(PrdStatus next) {
        return this == next || NEXT.get(this).contains(next);
    }

    /** The value stored in PostgreSQL and used on the wire (API answers, the cache, commands). */
    @JsonValue
    public String dbValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Any case: cache entries written before the wire form was lower case still read. */
    @JsonCreator
    public static PrdStatus fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
