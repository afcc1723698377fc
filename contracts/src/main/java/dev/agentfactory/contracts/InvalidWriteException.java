package dev.agentfactory.contracts;

/**
 * Bytes that are not a valid write envelope. The {@link Reason} goes to the DLQ's reason header, so
 * an operator can replay one class of failure once its cause is fixed.
 */
public final class InvalidWriteException extends RuntimeException {

    /** Why a record was refused; the wire value is the lower-case name. */
    public enum Reason {
        MALFORMED_JSON, SCHEMA_VIOLATION, UNKNOWN_TYPE, OVERSIZED, INVALID_ID;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    private final Reason reason;

    public InvalidWriteException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
