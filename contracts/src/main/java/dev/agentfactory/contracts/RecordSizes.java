package dev.agentfactory.contracts;

/**
 * How large a record the clients that re-send write records must be able to send: the worker copying one to the
 * DLQ with its headers, and {@code ops dlq-replay} publishing a dead letter's copy back to its topic. One rule for
 * both, since a dead letter holds what the worker's producer could send and the replay must send it again: Kafka's
 * default {@code max.request.size} (1 MiB) is below the default payload limit ({@link WriteCodec#DEFAULT_MAX_BYTES}),
 * so a write of 1 MiB or more could otherwise be dead-lettered but never replayed.
 */
public final class RecordSizes {

    /** Room above the payload limit for a record's key, headers (a dead letter's among them) and batch overhead. */
    public static final int OVERHEAD_BYTES = 64 * 1024;

    /** Kafka's default {@code max.request.size}: never go below it. */
    private static final int KAFKA_DEFAULT_MAX_REQUEST = 1024 * 1024;

    private RecordSizes() {
    }

    /** The producer's {@code max.request.size} for records of up to {@code maxPayloadBytes} of value. */
    public static int maxRequestBytes(int maxPayloadBytes) {
        return (int) Math.min(Integer.MAX_VALUE,
                Math.max(KAFKA_DEFAULT_MAX_REQUEST, (long) maxPayloadBytes + OVERHEAD_BYTES));
    }
}
