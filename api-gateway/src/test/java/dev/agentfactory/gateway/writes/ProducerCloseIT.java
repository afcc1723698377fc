package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Shutting down with a write the broker has not acknowledged (here held back by a produce quota, as it would be
 * with the broker down) must not hold the context's close for the producer's delivery timeout: Cloud Run kills the
 * process 10 s after SIGTERM, and the drain has taken 6 of them.
 */
@ExtendWith(LocalStackExtension.class)
class ProducerCloseIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void closingWithAnUnacknowledgedWriteEndsWithinTheCloseTimeoutAndFailsThatWrite() throws Exception {
        String bootstrap = LocalStackExtension.ensure().kafkaBootstrap();
        String topic = "it-producer-close-" + UUID.randomUUID();
        StackTopics.create(bootstrap, Map.of(topic, 1));
        String clientId = "it-producer-close-" + UUID.randomUUID();
        // A byte a second: the first write is answered with a throttle of seconds, and the next waits it out.
        byteRate(bootstrap, clientId, 1.0);
        try {
            closeWithAWriteHeldBack(bootstrap, topic, clientId);
        } finally {
            byteRate(bootstrap, clientId, null); // quotas outlive topics: remove it
            StackTopics.delete(bootstrap, List.of(topic));
        }
    }

    private static void closeWithAWriteHeldBack(String bootstrap, String topic, String clientId) throws Exception {
        KafkaProperties kafka = new KafkaProperties();
        kafka.setBootstrapServers(List.of(bootstrap));
        kafka.getProducer().setClientId(clientId);
        GatewayProperties props = new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka(topic, topic, "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(Duration.ofMillis(250), Duration.ofHours(24), 8, Duration.ofSeconds(10)));
        WriteKafkaConfiguration config = new WriteKafkaConfiguration();
        Duration deliveryTimeout = Duration.ofMillis(((Number) WriteKafkaConfiguration.producerConfig(kafka, props)
                .get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).longValue());
        WriteProducer producer = config.writeProducer(kafka, props);
        producer.send(envelope()).get(10, TimeUnit.SECONDS);
        long sending = System.nanoTime();
        CompletableFuture<RecordMetadata> sent = producer.send(envelope());
        Thread.sleep(500);
        assertThat(sent).isNotDone();

        long start = System.nanoTime();
        config.writeProducerCloser(producer).destroy();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Without the bound the close lasted until the record expired, delivery.timeout.ms (10 s here) after its send:
        // at least what was left of that when the close began. The bound is that less a second to stay clear of it:
        // the largest margin over the close timeout that still fails such a close, however long the record was held
        // back first (the close timeout and 2 s left a loaded machine too little).
        Duration heldBack = Duration.ofNanos(start - sending);
        assertThat(took).as("the close of a producer whose record was held back %d ms, close timeout %s, delivery"
                        + " timeout %s", heldBack.toMillis(), WriteKafkaConfiguration.PRODUCER_CLOSE_TIMEOUT,
                        deliveryTimeout)
                .isLessThan(deliveryTimeout.minus(heldBack).minusSeconds(1));
        assertThat(sent).failsWithin(1, TimeUnit.SECONDS);
    }

    /** Sets (or with null removes) the client's producer byte rate quota. */
    private static void byteRate(String bootstrap, String clientId, Double bytesPerSecond) throws Exception {
        try (Admin admin = StackTopics.admin(bootstrap)) {
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                    new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId)),
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond))))).all().get();
        }
    }

    private static WriteEnvelope envelope() {
        return WriteEnvelope.of(UUID.randomUUID(), null, "it", new WriteCommand.AgentCreate(
                "close-" + UUID.randomUUID(), "close", "test", null, JSON.createObjectNode(), JSON.createObjectNode(),
                JSON.createObjectNode()));
    }
}
