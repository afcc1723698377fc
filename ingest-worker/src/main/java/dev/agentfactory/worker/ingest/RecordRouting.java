package dev.agentfactory.worker.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.agentfactory.contracts.CommandType.EntityType;
import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.InvalidWriteException.Reason;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;

/**
 * Whether a valid envelope came the way the contract routes it: keyed by its entityId ({@link
 * WriteEnvelope#recordKey()}) on its entity's topic. The worker applies one partition's records in order, and the
 * key is what puts all of one entity's writes on one partition: a record keyed otherwise (no key, its eventId, an
 * upper-case id) or an agent write on the PRD topic lands on some other partition, where it can overtake or trail the
 * entity's other writes (an update and a delete committed delete first, the update then a CONFLICT). Such a record is
 * refused ({@code wrong_topic}, {@code wrong_key}) rather than applied out of order; its producer must send it again,
 * routed right. Both topics may be one (a deployment that sends both kinds there).
 */
record RecordRouting(String agentTopic, String prdTopic) {

    /** The longest part of a wrong key quoted in the reason. */
    private static final int KEY_PREVIEW_CHARS = 100;

    /**
     * The envelope of a record the worker applies: valid, and routed right; {@link InvalidWriteException} for one it
     * dead-letters. The listener and {@link StoredLogCheck} both ask this, so they agree on which records are applied.
     */
    WriteEnvelope decode(WriteCodec codec, ConsumerRecord<byte[], byte[]> r) {
        WriteEnvelope e = codec.decode(r.value());
        check(r, e);
        return e;
    }

    /** Throws {@link InvalidWriteException} unless {@code r} is on {@code e}'s entity topic, keyed by its entityId. */
    void check(ConsumerRecord<byte[], byte[]> r, WriteEnvelope e) {
        EntityType entity = e.type().entityType();
        String topic = entity == EntityType.AGENT ? agentTopic : prdTopic;
        if (!topic.equals(r.topic())) {
            throw new InvalidWriteException(Reason.WRONG_TOPIC, e.type().wireName() + " on topic " + r.topic()
                    + ": " + entity.wireName() + " writes go to " + topic + ", where the entity's other writes are");
        }
        String key = e.recordKey();
        if (!Arrays.equals(r.key(), key.getBytes(StandardCharsets.UTF_8))) {
            throw new InvalidWriteException(Reason.WRONG_KEY, (r.key() == null ? "the record has no key"
                    : "the record key is '" + WriteCodec.preview(r.key(), KEY_PREVIEW_CHARS) + "'")
                    + ", not the entityId " + key + " (lower case), which puts the entity's writes on one partition"
                    + " in order");
        }
    }
}
