package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * A write body the gateway's limit lets through must also fit the producer once wrapped in the envelope:
 * a body just under 1 MiB becomes a record just over Kafka's default max.request.size (1 MiB), which the
 * producer refused and the gateway answered 503 "broker unavailable, retry".
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LargeWriteIT {

    static final String SECRET = "test-secret-for-the-gateway-large-write-suite-0123456789";
    static final String DB = "it_gateway_large_write";
    static final String RUN = UUID.randomUUID().toString();
    static final String AGENT_TOPIC = "it-large-write-agents-" + RUN;
    /** The gateway's default body limit (factory.gateway.max-body-bytes). */
    static final int MAX_BODY = 1_048_576;

    @LocalServerPort
    int port;

    @BeforeAll
    static void databaseAndTopic() throws Exception {
        GatewayTestStack.freshMigratedDatabase(DB);
        StackTopics.create(LocalStackExtension.ensure().kafkaBootstrap(), Map.of(AGENT_TOPIC, 1));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestStack.connect(registry, DB, SECRET);
        registry.add("factory.gateway.cache.prefix", () -> "it-large-write-" + RUN);
        registry.add("factory.gateway.topics.agent-writes", () -> AGENT_TOPIC);
        registry.add("factory.gateway.topics.prd-writes", () -> "it-large-write-prds-" + RUN);
        registry.add("factory.gateway.topics.results-group", () -> "it-large-write-" + RUN);
    }

    @Test
    void aBodyJustUnderTheLimitIsAcceptedAndReachesTheWriteTopic() throws Exception {
        String head = "{\"slug\":\"large\",\"name\":\"large\",\"kind\":\"test\",\"config\":{\"blob\":\"";
        String tail = "\"}}";
        String body = head + "x".repeat(MAX_BODY - 16 - head.length() - tail.length()) + tail;
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_BODY - 16);

        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/agents"))
                .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
        String eventId = res.headers().firstValue("Location").orElseThrow().replaceAll(".*/", "");
        ConsumerRecord<String, byte[]> published = published(eventId);
        assertThat(published.value().length).isGreaterThan(MAX_BODY);
    }

    /**
     * Not about size, but the same context: a read on a connection whose server went silent (a half-open TCP
     * connection) gives up after the socket timeout rather than blocking its thread until the kernel does (about
     * 15 min), the outcome fallback's one sweep thread included. pgjdbc reports it as the network timeout.
     */
    @Test
    void theGatewaysDatabaseConnectionsGiveUpOnASilentServer(@Autowired DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.getNetworkTimeout()).isEqualTo(15_000);
        }
    }

    /** Not about size, but the same context: a write body's numbers reach the write topic digit for digit. */
    @Test
    void aBodysNumbersReachTheWriteTopicWithEveryDigit() throws Exception {
        String body = "{\"slug\":\"exact\",\"name\":\"exact\",\"kind\":\"test\","
                + "\"config\":{\"ratio\":0.12345678901234567890123,\"huge\":1e400}}";
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/agents"))
                .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
        String eventId = res.headers().firstValue("Location").orElseThrow().replaceAll(".*/", "");
        String published = new String(published(eventId).value(), StandardCharsets.UTF_8);
        // in the form jsonb stores it, written out (contracts: a number's plain form)
        assertThat(published).contains("0.12345678901234567890123").contains("\"huge\":1" + "0".repeat(400) + "}")
                .doesNotContain("Infinity");
    }

    private static ConsumerRecord<String, byte[]> published(String eventId) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStackExtension.ensure().kafkaBootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            TopicPartition tp = new TopicPartition(AGENT_TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            AtomicReference<ConsumerRecord<String, byte[]>> found = new AtomicReference<>();
            Poll.until(Duration.ofSeconds(30), "the write on " + AGENT_TOPIC, () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (new String(r.value(), StandardCharsets.UTF_8).contains(eventId)) {
                        found.set(r);
                    }
                }
                return found.get() != null;
            });
            return found.get();
        }
    }

    private static String token() {
        return GatewayTestStack.token(SECRET, "service_role", UUID.randomUUID().toString());
    }
}
