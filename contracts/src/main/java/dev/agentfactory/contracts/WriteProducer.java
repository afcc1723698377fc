package dev.agentfactory.contracts;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer an agent uses to publish writes: idempotent, {@code acks=all}, key = entityId so one
 * entity's writes stay ordered on one partition. A retried send cannot reorder or duplicate within a
 * producer session; a write re-sent by the caller with the same eventId is caught by the worker's dedup.
 */
public final class WriteProducer implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final WriteCodec codec = new WriteCodec();
    private final String agentTopic;
    private final String prdTopic;

    /** A producer on the contract's default topics. */
    public WriteProducer(String bootstrapServers) {
        this(bootstrapServers, Map.of(), Topics.AGENT_WRITES, Topics.PRD_WRITES);
    }

    /**
     * @param overrides extra producer settings (TLS, SASL, linger, a smaller or larger {@code max.request.size}...)
     *                  applied over the safe defaults; a partitioner
     *                  setting is refused with an {@link IllegalArgumentException}, as it would spread one entity's
     *                  writes over partitions (or away from the partition other producers of the entity use)
     */
    public WriteProducer(String bootstrapServers, Map<String, Object> overrides, String agentTopic, String prdTopic) {
        for (String ordering : List.of(ProducerConfig.PARTITIONER_CLASS_CONFIG,
                ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG)) {
            if (overrides.containsKey(ordering)) {
                throw new IllegalArgumentException(ordering + " cannot be overridden: writes go to the partition Kafka's"
                        + " default partitioner picks for the entityId key, which keeps each entity's writes in order");
            }
        }
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Kafka's default (1 MiB) is checked against the uncompressed record, below the 1,100,000 bytes the worker
        // takes: a prd.create with a body near its 1 MiB limit failed here with RecordTooLargeException. The broker
        // and topic must allow as much (message.max.bytes / max.message.bytes).
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, RecordSizes.maxRequestBytes(WriteCodec.DEFAULT_MAX_BYTES));
        config.putAll(overrides);
        // Not overridable: these make retries safe and keep per-entity order.
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(config);
        this.agentTopic = agentTopic;
        this.prdTopic = prdTopic;
    }

    /**
     * Publishes one write; the future completes when the broker has it on all in-sync replicas, or fails. It fails
     * as well where Kafka's producer throws instead (closed, say, while its application shuts down), so a caller
     * handles every failure to publish in one place.
     */
    public CompletableFuture<RecordMetadata> send(WriteEnvelope envelope) {
        String topic = envelope.type().entityType() == CommandType.EntityType.AGENT ? agentTopic : prdTopic;
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            // inside: a value JSON cannot write (nested deeper than Jackson's 500 levels) fails the future too
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, envelope.recordKey(),
                    codec.encode(envelope));
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Closes within {@code timeout}: records not acknowledged by then fail (their futures complete exceptionally)
     * instead of holding the close until their delivery timeout.
     */
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
