package dev.agentfactory.contracts;

/**
 * Headers of a record on {@code factory.writes.dlq.v1}. The value and key are the original bytes, so
 * {@code ops dlq-replay} can re-publish the record unchanged to {@link #ORIGINAL_TOPIC}.
 */
public final class DlqHeaders {

    public static final String ORIGINAL_TOPIC = "factory.dlq.original-topic";
    public static final String ORIGINAL_PARTITION = "factory.dlq.original-partition";
    public static final String ORIGINAL_OFFSET = "factory.dlq.original-offset";
    /** The Java exception class that refused the record. */
    public static final String ERROR_CLASS = "factory.dlq.error-class";
    /** One of {@link InvalidWriteException.Reason#wireName()}. */
    public static final String REASON = "factory.dlq.reason";
    /** A human-readable message. */
    public static final String MESSAGE = "factory.dlq.message";
    /** When the worker dead-lettered the record (ISO-8601). */
    public static final String FAILED_AT = "factory.dlq.failed-at";
    /** Set by {@code dlq-replay} on re-published records: how many times the record was replayed. */
    public static final String REPLAY_COUNT = "factory.dlq.replay-count";

    private DlqHeaders() {
    }
}
