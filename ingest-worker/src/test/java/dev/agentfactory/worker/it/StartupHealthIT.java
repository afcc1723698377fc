package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's startup probe ({@code /actuator/health/startup}: deploy/cloudrun/ingest-worker.yaml,
 * docker-compose.yml) fails for a worker that cannot log in to its database, and passes for one that can. The worker
 * touches the database only once it has partitions, and retries that for good, so {@code readiness} (the probe's
 * path before) answered 200 either way and a revision with a wrong writer password went live.
 */
@ExtendWith(LocalStackExtension.class)
class StartupHealthIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aWorkerWithAWrongDatabasePasswordFailsItsStartupProbeWhileOneWithTheRightPasswordPassesIt(
            StackEndpoints endpoints, LocalStack stack) throws Exception {
        TestBed bed = new TestBed("startup", endpoints, stack.primary());
        try (WorkerProcess wrong = new WorkerProcess("startup-wrong-password",
                bed.workerProperties(Map.of("spring.datasource.password", "not-the-writer-password"))).start();
             WorkerProcess right = new WorkerProcess("startup-right-password", bed.workerProperties()).start()) {
            awaitStarted(wrong);
            awaitStarted(right);

            // Polled, not read once: answering liveness says nothing of the broker yet, and the Kafka indicator's
            // 3 s admin timeout can pass on a loaded machine. The database check fails at once (a refused login).
            AtomicReference<HttpResponse<String>> startup = new AtomicReference<>();
            Poll.until(Duration.ofSeconds(30), "the wrong-password worker's startup probe to show db DOWN, kafka UP",
                    () -> {
                        startup.set(wrong.get("/actuator/health/startup"));
                        JsonNode c = components(startup.get());
                        return "DOWN".equals(c.at("/db/status").asString(null))
                                && "UP".equals(c.at("/kafka/status").asString(null));
                    });
            HttpResponse<String> failing = startup.get();
            assertThat(failing.statusCode()).as(failing.body()).isEqualTo(503);
            assertThat(components(failing).at("/readinessState/status").asString()).isEqualTo("UP");
            assertThat(wrong.get("/actuator/health/readiness").statusCode())
                    .as("readiness, the probe's path before, says nothing of the database").isEqualTo(200);
            assertThat(wrong.get("/actuator/health/liveness").statusCode())
                    .as("liveness: no restart loop over a database it cannot reach").isEqualTo(200);

            Poll.until(Duration.ofSeconds(30), "the worker with the right password to pass its startup probe",
                    () -> right.get("/actuator/health/startup").statusCode() == 200);
        }
    }

    /** The health components of an answer; none when its body is not JSON (no answer yet). */
    private static JsonNode components(HttpResponse<String> health) {
        try {
            return JSON.readTree(health.body()).path("components");
        } catch (RuntimeException notJson) {
            return JSON.missingNode();
        }
    }

    /** The process answers HTTP: Spring has started, and the probes' state is what a platform would see. */
    private static void awaitStarted(WorkerProcess worker) {
        Poll.until(Duration.ofSeconds(180), "the worker to start", () -> {
            if (!worker.alive()) {
                throw new IllegalStateException("the worker exited; see target/it-logs/");
            }
            return worker.get("/actuator/health/liveness").statusCode() == 200;
        });
    }
}
