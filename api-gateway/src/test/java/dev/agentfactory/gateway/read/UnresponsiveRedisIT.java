package dev.agentfactory.gateway.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
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
 * A Redis that accepts connections and never answers (hung, or a half-open connection after a network fault): every
 * request still gets its answer from the database, or its clear refusal, within the Redis timeout, not after
 * Spring Data's default of 60 s (past the async request timeout of a waited write). The database and broker are the
 * real local stack's; only Redis is the silent socket.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UnresponsiveRedisIT {

    static final String SECRET = "test-secret-for-the-gateway-silent-redis-suite-01234567";
    static final String DB = "it_gateway_silent_redis";
    /** Well above the configured Redis timeout (500 ms) and far below the 60 s it replaces. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(15);

    static ServerSocket silentRedis;
    static final List<Socket> held = new CopyOnWriteArrayList<>();

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void database() {
        GatewayTestStack.freshMigratedDatabase(DB);
    }

    @AfterAll
    static void closeSilentRedis() throws IOException {
        silentRedis.close();
        for (Socket s : held) {
            s.close();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        silentRedis = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!silentRedis.isClosed()) {
                try {
                    held.add(silentRedis.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-redis");
        accept.setDaemon(true);
        accept.start();
        GatewayTestStack.connectApart(registry, DB, SECRET, "it-silent-redis");
        registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + silentRedis.getLocalPort());
    }

    @Test
    void readsAreAnsweredFromTheDatabase() throws Exception {
        assertThat(send(get("/api/v1/agents")).statusCode()).isEqualTo(200);
        assertThat(send(get("/api/v1/agents/" + UUID.randomUUID())).statusCode()).isEqualTo(404);
        assertThat(send(get("/api/v1/prds")).statusCode()).isEqualTo(200);
        assertThat(held).as("the gateway did try Redis").isNotEmpty();
    }

    @Test
    void aWriteWithAnIdempotencyKeyIsRefusedAsRetryable() throws Exception {
        // the key cannot be checked without Redis: a clear 503, not a write that might be applied twice
        HttpResponse<String> res = send(HttpRequest.newBuilder(uri("/api/v1/agents"))
                .header("Authorization", "Bearer " + token()).header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString("{\"slug\":\"silent-" + UUID.randomUUID().toString()
                        .substring(0, 8) + "\",\"name\":\"s\",\"kind\":\"k\"}")).build());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(HttpRequest.newBuilder(request, (n, v) -> true).timeout(ANSWER_WITHIN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token()).GET();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String token() {
        return GatewayTestStack.token(SECRET, "authenticated", UUID.randomUUID().toString());
    }
}
