package dev.agentfactory.store.agent;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** An append-only learning or performance entry of an agent ({@code factory.agent_history}). */
public record HistoryEntry(long seq, UUID agentId, Kind kind, Map<String, Object> entry, Instant recordedAt,
                           String actor, UUID eventId) {

    /** What the entry records; matches the {@code agent_history_kind_valid} constraint. */
    public enum Kind {
        LEARNING, PERFORMANCE;

        public String dbValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Kind fromDb(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
