package dev.agentfactory.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Client mistakes are the client's: input the gateway accepts as well-formed but PostgreSQL cannot represent
 * must answer 400 as problem details, never 503 "the database is unavailable, retry" (which tells a client to
 * retry a request that can never succeed, and pages whoever watches 5xx rates).
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BadInputIT {

    static final String SECRET = "test-secret-for-the-gateway-bad-input-suite-0123456789";
    static final String DB = "it_gateway_bad_input";
    static final String RUN = UUID.randomUUID().toString();
    /** The write topics of this class alone, one partition each, so what the gateway published can be counted. */
    static final String AGENT_TOPIC = "it-bad-input-agents-" + RUN;
    static final String PRD_TOPIC = "it-bad-input-prds-" + RUN;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void databaseAndTopics() throws Exception {
        GatewayTestStack.freshMigratedDatabase(DB);
        StackTopics.create(LocalStackExtension.ensure().kafkaBootstrap(), Map.of(AGENT_TOPIC, 1, PRD_TOPIC, 1));
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestStack.connectApart(registry, DB, SECRET, "it-bad-input");
        registry.add("factory.gateway.topics.agent-writes", () -> AGENT_TOPIC);
        registry.add("factory.gateway.topics.prd-writes", () -> PRD_TOPIC);
    }

    @Test
    void anUpdatedSinceBeyondPostgresqlsTimestampRangeIsABadRequest() throws Exception {
        String since = enc("+300000-01-01T00:00:00Z");
        assertBadRequest(get("/api/v1/agents?updatedSince=" + since));
        assertBadRequest(get("/api/v1/prds?updatedSince=" + since));
    }

    @Test
    void anAuditWindowBeyondPostgresqlsTimestampRangeIsABadRequest() throws Exception {
        assertBadRequest(get("/api/v1/audit?to=" + enc("+300000-01-01T00:00:00Z")));
        assertBadRequest(get("/api/v1/audit?actor=someone&to=" + enc("+300000-01-01T00:00:00Z")));
    }

    @Test
    void aNulCharacterInASearchTextIsABadRequest() throws Exception {
        // PostgreSQL text cannot hold U+0000; the driver refuses the parameter before the query is sent.
        assertBadRequest(get("/api/v1/agents?q=a%00b"));
        assertBadRequest(get("/api/v1/prds?q=a%00b"));
        assertBadRequest(get("/api/v1/audit?actor=a%00b"));
    }

    /**
     * The contracts codec refuses a free-form value (config, state, metadata, a history entry) nesting more than
     * {@link WriteCodec#MAX_NESTING_DEPTH} levels, since the pages that show it embed it deeper and Jackson stops
     * writing at 500: the gateway, which validates with the same codec before publishing, answers 400 naming the
     * limit and publishes nothing. So too for a body Jackson still read but cannot write back once it is wrapped in
     * the envelope (once answered 500), and for one past what its reader takes (once a bare "Failed to read
     * request"). A value nesting exactly the limit is accepted on every one of those fields.
     */
    @Test
    void aFreeFormValueNestedDeeperThanTheContractsLimitIsABadRequestAndNothingIsPublished() throws Exception {
        int limit = WriteCodec.MAX_NESTING_DEPTH;
        for (int depth : new int[] {limit + 1, 499, 600}) {
            for (HttpResponse<String> res : freeFormWrites(nested(depth))) {
                assertBadRequest(res);
                JsonNode problem = json.readTree(res.body());
                String type = problem.path("type").asString();
                String detail = problem.path("detail").asString();
                String what = depth + " deep, " + res.uri() + " -> " + res.body();
                if (depth < 500) {
                    assertThat(type).as(what).endsWith("/invalid-write");
                    assertThat(problem.path("reason").asString()).as(what).isEqualTo("schema_violation");
                    assertThat(detail).as(what).matches(depth == limit + 1
                            ? "(config|metadata|state|entry) nests more than 100 objects and arrays deep.*"
                            : "the body nests more than 100 objects and arrays deep.*");
                } else {
                    assertThat(type).as(what).endsWith("/bad-body");
                    assertThat(detail).as(what).contains("nesting depth").contains("exceeds the maximum allowed (500");
                }
            }
        }
        for (HttpResponse<String> res : freeFormWrites(nested(limit))) {
            assertThat(res.statusCode()).as(res.uri() + " -> " + res.body()).isEqualTo(202);
        }
        // Each topic has one partition, written by the gateway's one producer in order: the accepted writes are in
        // it (each answered 202 once the broker took it), and nothing sent before them is still to come.
        assertThat(published(AGENT_TOPIC)).as("agent writes published").isEqualTo(4);
        assertThat(published(PRD_TOPIC)).as("PRD writes published").isEqualTo(2);
    }

    /** One write to each free-form field, {@code value} as its value: 4 agent writes, then 2 PRD writes. */
    private List<HttpResponse<String>> freeFormWrites(String value) throws Exception {
        String slug = "deep-" + UUID.randomUUID().toString().substring(0, 8);
        String agent = "/api/v1/agents/" + UUID.randomUUID();
        return List.of(
                send("POST", "/api/v1/agents",
                        "{\"slug\":\"" + slug + "\",\"name\":\"Deep\",\"kind\":\"k\",\"config\":" + value + "}"),
                send("PATCH", agent, "{\"metadata\":" + value + "}"),
                send("PUT", agent + "/state", value),
                send("POST", agent + "/history", "{\"kind\":\"learning\",\"entry\":" + value + "}"),
                send("POST", "/api/v1/prds",
                        "{\"slug\":\"" + slug + "\",\"title\":\"Deep\",\"metadata\":" + value + "}"),
                send("PATCH", "/api/v1/prds/" + UUID.randomUUID(), "{\"metadata\":" + value + "}"));
    }

    /** A JSON object nesting {@code levels} objects deep, counting itself: {@code {"k":{"k":...{}}}}. */
    private static String nested(int levels) {
        return "{\"k\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    private static long published(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStackExtension.ensure().kafkaBootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        }
    }

    private static void assertBadRequest(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.uri() + " -> " + res.body()).isEqualTo(400);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String token() {
        return GatewayTestStack.token(SECRET, "service_role", UUID.randomUUID().toString());
    }
}
