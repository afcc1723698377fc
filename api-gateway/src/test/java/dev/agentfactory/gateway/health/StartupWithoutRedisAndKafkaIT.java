package dev.agentfactory.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.stack.junit.FreePorts;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Cloud Run's startup probe ({@code /actuator/health/startup}, deploy/cloudrun/api-gateway.yaml) asks for the
 * database alone: a gateway started while Redis and Kafka are both down answers it 200 UP, and serves reads from
 * PostgreSQL, while readiness and the whole health answer 503. The probe asked readiness before, so every instance
 * started during such an outage failed it and was killed. The database is the local stack's; Redis and the broker
 * are ports nothing listens on.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StartupWithoutRedisAndKafkaIT {

    static final String SECRET = "test-secret-for-the-gateway-startup-health-suite-0123";
    static final String DB = "it_gateway_startup_health";

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void database() {
        GatewayTestStack.freshMigratedDatabase(DB);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestStack.connectApart(registry, DB, SECRET, "it-startup-health");
        int redis = FreePorts.take();
        int kafka = FreePorts.take();
        registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + redis);
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + kafka);
        registry.add("factory.gateway.health.check-ttl", () -> "0s");
    }


    @Test
    void theStartupGroupIsUpWithTheDatabaseAloneWhileReadinessIsDown() throws Exception {
        String service = GatewayTestStack.token(SECRET, "service_role", UUID.randomUUID().toString());
        HttpResponse<String> startup = get("/actuator/health/startup", service);
        assertThat(startup.statusCode()).as(startup.body()).isEqualTo(200);
        assertThat(startup.body()).contains("\"status\":\"UP\"", "\"db\"", "\"readinessState\"")
                .doesNotContain("\"redis\"", "\"kafka\"");
        // a probe carries no token: the status alone, as on the other health endpoints
        HttpResponse<String> probe = get("/actuator/health/startup", null);
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.body()).contains("\"status\":\"UP\"").doesNotContain("components");

        HttpResponse<String> readiness = get("/actuator/health/readiness", service);
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
        assertThat(readiness.body()).contains("\"redis\"", "\"kafka\"");
        assertThat(get("/api/v1/health", null).statusCode()).as("what the build's smoke check asks").isEqualTo(503);
    }

    @Test
    void readsAreServedFromTheDatabase() throws Exception {
        String user = GatewayTestStack.token(SECRET, "authenticated", UUID.randomUUID().toString());
        HttpResponse<String> list = get("/api/v1/agents", user);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(get("/api/v1/agents/" + UUID.randomUUID(), user).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
