package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/** Acks are awaited as long as the producer may take to deliver, its delivery.timeout.ms, not a fixed 30 s. */
class AcknowledgedSendsTest {

    private static final Map<String, Object> CONFIG = Map.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);

    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    /**
     * The wait follows the producer's own delivery.timeout.ms (here 1 s, so 6 s with the margin): the fixed 30 s it
     * replaced gave up on records a slow broker was still taking. An ack that never comes ends the wait at that bound.
     */
    @Test
    void theWaitForAcksEndsAtTheProducersDeliveryTimeoutAndItsMargin() {
        Map<String, Object> config = new HashMap<>(CONFIG);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "1000");
        AcknowledgedSends shortDelivery = new AcknowledgedSends(new DefaultKafkaProducerFactory<>(config) {
            @Override
            public Producer<byte[], byte[]> createProducer() {
                return producer;
            }
        });

        assertThatThrownBy(() -> shortDelivery.sendAll(List.of(new ProducerRecord<>("dlq", 0, new byte[0],
                new byte[0])), "dead letters")).hasMessageContaining("1 dead letters not acknowledged within 6 s");
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aCallMayAlsoBlockInItsSendsForTheProducersMaxBlockKafkasDefaultWhereUnset() {
        assertThat(AcknowledgedSends.maxBlock(Map.of())).isEqualTo(Duration.ofMinutes(1));
        assertThat(AcknowledgedSends.maxBlock(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000")))
                .isEqualTo(Duration.ofSeconds(5));
        Map<String, Object> config = new HashMap<>(CONFIG);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "1000");
        assertThat(new AcknowledgedSends(new DefaultKafkaProducerFactory<>(config)).longestCall())
                .isEqualTo(Duration.ofSeconds(66));
    }

    @Test
    void theWaitIsTheProducersDeliveryTimeoutKafkasDefaultWhereUnset() {
        assertThat(AcknowledgedSends.deliveryTimeout(CONFIG)).isEqualTo(Duration.ofMinutes(2));
        assertThat(AcknowledgedSends.deliveryTimeout(Map.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000"))).isEqualTo(Duration.ofMinutes(5));
    }
}
