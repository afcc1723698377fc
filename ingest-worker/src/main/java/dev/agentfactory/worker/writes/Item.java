package dev.agentfactory.worker.writes;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteEnvelope;

/**
 * One consumed record with what decoding made of it: an envelope, or the reason it goes to the DLQ.
 * Exactly one of {@code envelope} and {@code invalid} is set.
 */
public record Item(ConsumerRecord<byte[], byte[]> record, WriteEnvelope envelope, InvalidWriteException invalid) {

    boolean valid() {
        return envelope != null;
    }

    /** Sent again from the DLQ by {@code ops dlq-replay}. */
    boolean replayed() {
        return record.headers().lastHeader(DlqHeaders.REPLAY_COUNT) != null;
    }
}
