package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

import dev.agentfactory.gateway.GatewayProperties;

/**
 * The gateway's producer serves an HTTP caller waiting for the broker's ack: it does not compress (the agents'
 * lz4 default), keeps their linger, and gives up within the publish timeout; an operator's spring.kafka settings win.
 */
class WriteProducerConfigTest {

    @Test
    void aWriteIsSentUncompressedWithinThePublishTimeoutKeepingTheAgentsLinger() {
        Map<String, Object> config = WriteKafkaConfiguration.producerConfig(new KafkaProperties(), props());

        assertThat(config).doesNotContainKey(ProducerConfig.LINGER_MS_CONFIG)
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000)
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    }

    @Test
    void lingerAndCompressionFromSpringKafkaWin() {
        KafkaProperties kafka = new KafkaProperties();
        kafka.getProducer().setCompressionType("zstd");
        kafka.getProducer().getProperties().put(ProducerConfig.LINGER_MS_CONFIG, "20");

        Map<String, Object> config = WriteKafkaConfiguration.producerConfig(kafka, props());

        assertThat(config).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    }

    private static GatewayProperties props() {
        return new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("agents", "prds", "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(Duration.ofMillis(250), Duration.ofHours(24), 8, Duration.ofSeconds(10)));
    }
}
