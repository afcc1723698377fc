package dev.agentfactory.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.FreePorts;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's startup probe ({@code /actuator/health/startup}: deploy/cloudrun/cdc-relay.yaml, docker-compose.yml)
 * fails for a relay that cannot log in to its primary or to its standby, and passes for one that can. The relay
 * touches neither to start (its engine restarts in the background), so {@code readiness} (the probe's path before)
 * answered 200 either way and a revision with a wrong replicator or standby password went live.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartupHealthIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RelayBed bed;
    private int right;
    private int wrongPrimary;
    private int wrongStandby;

    @BeforeAll
    void startThreeRelays(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new RelayBed("startup", endpoints, stack, Map.of());
        right = FreePorts.take();
        wrongPrimary = FreePorts.take();
        wrongStandby = FreePorts.take();
        bed.start("right", Map.of("server.port", Integer.toString(right)));
        bed.start("wrong-primary", Map.of("server.port", Integer.toString(wrongPrimary),
                "spring.datasource.password", "not-the-replicator-password"));
        bed.start("wrong-standby", Map.of("server.port", Integer.toString(wrongStandby),
                "factory.cdc.standby.password", "not-the-standby-password"));
        for (int port : new int[] {right, wrongPrimary, wrongStandby}) {
            Poll.until(Duration.ofSeconds(180), "the relay on " + port + " to start",
                    () -> get(port, "/actuator/health/liveness").statusCode() == 200);
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void aRelayWithAWrongPrimaryPasswordFailsItsStartupProbe() {
        failingStartup(wrongPrimary, "db", "standby");
    }

    @Test
    void aRelayWithAWrongStandbyPasswordFailsItsStartupProbe() {
        failingStartup(wrongStandby, "standby", "db");
    }

    @Test
    void aRelayThatReachesEverythingPassesItsStartupProbe() {
        Poll.until(Duration.ofSeconds(30), "the relay with the right passwords to pass its startup probe",
                () -> get(right, "/actuator/health/startup").statusCode() == 200);
        JsonNode components = JSON.readTree(get(right, "/actuator/health/startup").body()).path("components");
        assertThat(components.properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("readinessState", "db", "standby", "redis", "kafka");
    }

    /**
     * 503 on startup, with {@code down} DOWN and {@code up}, redis and kafka UP, while readiness (the probe's path
     * before) and liveness answer 200. Polled, not read once: answering liveness says nothing of the other checks yet,
     * and the Kafka indicator's 3 s admin timeout can pass on a loaded machine. A refused login fails at once.
     */
    private void failingStartup(int port, String down, String up) {
        AtomicReference<Answer> startup = new AtomicReference<>();
        Poll.until(Duration.ofSeconds(30), "the startup probe on " + port + " to show " + down + " DOWN, " + up
                + ", redis and kafka UP", () -> {
                    startup.set(get(port, "/actuator/health/startup"));
                    JsonNode components = components(startup.get());
                    return "DOWN".equals(status(components, down))
                            && Stream.of(up, "redis", "kafka").allMatch(c -> "UP".equals(status(components, c)));
                });
        assertThat(startup.get().statusCode()).as(startup.get().body()).isEqualTo(503);
        assertThat(get(port, "/actuator/health/readiness").statusCode())
                .as("readiness says nothing of the databases").isEqualTo(200);
        assertThat(get(port, "/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    /** The health components of an answer; none when its body is not JSON (nothing answered yet). */
    private static JsonNode components(Answer health) {
        try {
            return JSON.readTree(health.body()).path("components");
        } catch (RuntimeException notJson) {
            return JSON.missingNode();
        }
    }

    private static String status(JsonNode components, String component) {
        return components.path(component).path("status").asString(null);
    }

    /** The status and body of a GET; status 0 while nothing answers. */
    private record Answer(int statusCode, String body) {
    }

    private static Answer get(int port, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
