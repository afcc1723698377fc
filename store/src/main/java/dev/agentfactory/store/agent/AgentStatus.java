package dev.agentfactory.store.agent;

/** Lifecycle of an agent; matches the {@code agents_status_valid} check constraint. */
public enum AgentStatus {
    ACTIVE, PAUSED, RETIRED;

    /** The value stored in PostgreSQL and used on the wire. */
    public String dbValue() {
        return name().toLowerCase();
    }

    public static AgentStatus fromDb(String value) {
        return valueOf(value.toUpperCase());
    }
}
