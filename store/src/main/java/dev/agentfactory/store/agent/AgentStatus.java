package dev.agentfactory.store.agent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Lifecycle of an agent; matches the {@code agents_status_valid} check constraint. */
public enum AgentStatus {
    ACTIVE, PAUSED, RETIRED;

    /** The value stored in PostgreSQL and used on the wire (API answers, the cache, commands). */
    @JsonValue
    public String dbValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Any case: cache entries written before the wire form was lower case still read. */
    @JsonCreator
    public static AgentStatus fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
