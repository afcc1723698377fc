package dev.agentfactory.contracts;

import java.util.Locale;

/**
 * Bytes that are not a valid write envelope. The {@link Reason} goes to the DLQ's reason header, so
 * an operator can replay one class of failure once its cause is fixed. The message goes to its message header:
 * it is cut at {@link #MAX_MESSAGE_CHARS}, since it may quote the bad value, and a dead letter carrying a large
 * record twice would be refused by the producer and stall the record's partition.
 */
public final class InvalidWriteException extends RuntimeException {

    /**
     * Why a record was refused; the wire value is the lower-case name. {@code WRONG_KEY} and {@code WRONG_TOPIC} are
     * valid envelopes on the wrong partition key or topic ({@link WriteEnvelope#recordKey()}): applied, they could
     * overtake or trail the entity's other writes.
     */
    public enum Reason {
        MALFORMED_JSON, SCHEMA_VIOLATION, UNKNOWN_TYPE, OVERSIZED, INVALID_ID, WRONG_KEY, WRONG_TOPIC;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);    // the default locale's rules gave "ınvalıd_ıd" in Turkish
        }
    }

    /** The longest message kept; the rest is cut and marked. */
    public static final int MAX_MESSAGE_CHARS = 1000;
    static final String CUT = "…[cut]";

    private final Reason reason;

    public InvalidWriteException(Reason reason, String message) {
        super(cut(message));
        this.reason = reason;
    }

    /** Never between the two halves of a surrogate pair: the DLQ header's UTF-8 would carry a {@code ?}. */
    private static String cut(String message) {
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        int end = MAX_MESSAGE_CHARS - CUT.length();
        if (Character.isHighSurrogate(message.charAt(end - 1))) {
            end--;
        }
        return message.substring(0, end) + CUT;
    }

    public Reason reason() {
        return reason;
    }
}
