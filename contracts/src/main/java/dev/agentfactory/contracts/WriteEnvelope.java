package dev.agentfactory.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One write as it travels on Kafka: the idempotency key, the entity it changes, who asked and when,
 * and the command. Serialized by {@link WriteCodec} to the JSON of {@code schemas/envelope.v1.json}.
 *
 * @param expectedVersion the version the writer saw; {@code null} means "any"
 */
public record WriteEnvelope(UUID eventId, UUID entityId, Long expectedVersion, String actor, Instant occurredAt,
                            int schemaVersion, WriteCommand command) {

    public static final int SCHEMA_VERSION = 1;

    public WriteEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(command, "command");
    }

    /** A new envelope with a fresh time-ordered eventId ({@link EventIds}), the current time and schema version 1. */
    public static WriteEnvelope of(UUID entityId, Long expectedVersion, String actor, WriteCommand command) {
        return new WriteEnvelope(EventIds.next(), entityId, expectedVersion, actor, Instant.now(), SCHEMA_VERSION,
                command);
    }

    public CommandType type() {
        return command.type();
    }

    /**
     * The Kafka record key this write travels with: the entityId as {@link UUID#toString()} writes it (lower case).
     * Every producer must use exactly this string, since the partition is a hash of its bytes: one entity's writes
     * stay in order only on one partition. The worker dead-letters a record keyed otherwise ({@code wrong_key}).
     */
    public String recordKey() {
        return entityId.toString();
    }
}
