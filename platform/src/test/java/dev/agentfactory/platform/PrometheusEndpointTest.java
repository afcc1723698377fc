package dev.agentfactory.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A web app with platform on the class path and no metrics settings of its own serves
 * /actuator/prometheus with the application tag and the project's meters, and exports nothing to
 * Google Cloud Monitoring unless the gcp profile is on.
 */
class PrometheusEndpointTest {

    private static ConfigurableApplicationContext app;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TinyWebApp {
    }

    @BeforeAll
    static void boot() {
        app = SpringApplication.run(TinyWebApp.class, "--server.port=0", "--spring.application.name=tiny-web",
                "--spring.kafka.bootstrap-servers=127.0.0.1:1", "--logging.level.org.apache.kafka=ERROR");
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

        HttpResponse<String> response = get("/actuator/prometheus");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("factory_ingest_events_total{application=\"tiny-web\",outcome=\"applied\"} 3.0")
                .contains("factory_ingest_end_to_end_seconds_bucket{application=\"tiny-web\",le=\"0.2\"} 1")
                .contains("jvm_memory_used_bytes{application=\"tiny-web\"");
    }

    @Test
    void theProbesAreServedAndNoStackdriverRegistryRunsWithoutTheGcpProfile() throws Exception {
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(app.getBeanNamesForType(io.micrometer.stackdriver.StackdriverMeterRegistry.class)).isEmpty();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        String port = app.getEnvironment().getProperty("local.server.port");
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
