package dev.agentfactory.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentfactory.gateway.GatewayTestStack;
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

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void database() {
        GatewayTestStack.freshMigratedDatabase(DB);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestStack.connectApart(registry, DB, SECRET, "it-bad-input");
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

    private static void assertBadRequest(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.uri() + " -> " + res.body()).isEqualTo(400);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String token() {
        return GatewayTestStack.token(SECRET, "service_role", UUID.randomUUID().toString());
    }
}
