package dev.agentfactory.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A web app with platform on the class path and no settings of its own: it serves
 * /actuator/prometheus with the application tag and the project's meters, exports nothing to
 * Google Cloud Monitoring unless the gcp profile is on, and logs each request under its trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class PlatformWebAppTest {

    private static ConfigurableApplicationContext app;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(LoggingController.class)
    static class TinyWebApp {
    }

    @RestController
    static class LoggingController {
        private static final Logger log = LoggerFactory.getLogger(LoggingController.class);

        @GetMapping("/log")
        String log() {
            log.info("handling /log");
            return "ok";
        }
    }

    @BeforeAll
    static void boot() {
        app = SpringApplication.run(TinyWebApp.class, "--server.port=0", "--spring.application.name=tiny-web",
                "--spring.kafka.bootstrap-servers=127.0.0.1:1", "--logging.level.org.apache.kafka=ERROR",
                "--factory.logging.gcp-project=demo-project");
    }

    @AfterAll
    static void close() {
        app.close();
    }

    @Test
    void prometheusServesTheProjectsMetersTaggedWithTheApplicationAndHistogramBuckets() throws Exception {
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        registry.counter("factory.ingest.events", "outcome", "applied").increment(3);
        Timer.builder("factory.ingest.end_to_end").register(registry).record(Duration.ofMillis(150));
        Timer.builder("factory.cdc.sink.lag").tag("sink", "redis").register(registry).record(Duration.ofSeconds(3));

        HttpResponse<String> response = get("/actuator/prometheus");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("factory_ingest_events_total{application=\"tiny-web\",outcome=\"applied\"} 3.0")
                .contains("factory_ingest_end_to_end_seconds_bucket{application=\"tiny-web\",le=\"0.2\"} 1")
                .contains("factory_cdc_sink_lag_seconds_bucket{application=\"tiny-web\",sink=\"redis\",le=\"5.0\"} 1")
                .contains("jvm_memory_used_bytes{application=\"tiny-web\"");
    }

    @Test
    void theProbesAreServedAndNoStackdriverRegistryRunsWithoutTheGcpProfile() throws Exception {
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(app.getBeanNamesForType(io.micrometer.stackdriver.StackdriverMeterRegistry.class)).isEmpty();
    }

    @Test
    void aRequestsLogLinesCarryTheTraceCloudRunSentAndTheNextRequestsDoNot(CapturedOutput output) throws Exception {
        get("/log", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        get("/log", "X-Cloud-Trace-Context", "105445aa7843bc8bf206b12000100000/1;o=1");
        get("/log");

        List<String> lines = output.getOut().lines().filter(line -> line.contains("handling /log")).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("\"logging.googleapis.com/trace\":\"projects/demo-project/traces/"
                + "4bf92f3577b34da6a3ce929d0e0e4736\"", "\"logging.googleapis.com/spanId\":\"00f067aa0ba902b7\"");
        assertThat(lines.get(1)).contains("traces/105445aa7843bc8bf206b12000100000\"",
                "\"logging.googleapis.com/spanId\":\"0000000000000001\"");
        assertThat(lines.get(2)).doesNotContain("logging.googleapis.com/trace");
    }

    private static HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        String port = app.getEnvironment().getProperty("local.server.port");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
