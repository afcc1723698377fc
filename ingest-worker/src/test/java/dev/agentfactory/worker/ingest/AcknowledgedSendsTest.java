package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    private final AcknowledgedSends sends = new AcknowledgedSends(new DefaultKafkaProducerFactory<>(CONFIG) {
        @Override
        public Producer<byte[], byte[]> createProducer() {
            return producer;
        }
    });

    @Test
    void anAckThatComesAfterThirtySecondsButWithinTheDeliveryTimeoutIsAwaited() {
        CompletableFuture.runAsync(() -> {
            while (!producer.completeNext()) {
                Thread.onSpinWait();
            }
        }, CompletableFuture.delayedExecutor(31, TimeUnit.SECONDS));

        assertThatCode(() -> sends.sendAll(List.of(new ProducerRecord<>("dlq", 0, new byte[0], new byte[0])),
                "dead letters")).doesNotThrowAnyException();
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void theWaitIsTheProducersDeliveryTimeoutKafkasDefaultWhereUnset() {
        assertThat(AcknowledgedSends.deliveryTimeout(CONFIG)).isEqualTo(Duration.ofMinutes(2));
        assertThat(AcknowledgedSends.deliveryTimeout(Map.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000"))).isEqualTo(Duration.ofMinutes(5));
    }
}
