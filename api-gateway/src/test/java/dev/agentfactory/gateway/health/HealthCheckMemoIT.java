package dev.agentfactory.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * The health endpoints are open to anyone, and each request ran the database, Kafka and Redis checks: a flood of
 * them kept the gateway's 8 pooled connections busy. Now requests within {@code factory.gateway.health.check-ttl}
 * (1 s) share one run, whichever health URL they ask. Counted with a check of the test's own, slow enough (50 ms)
 * that requests overlap it, part of every group the flood asks for.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HealthCheckMemoIT {

    static final String SECRET = "test-secret-for-the-gateway-health-memo-suite-0123456789";
    static final String DB = "it_gateway_health_memo";
    static final Duration TTL = Duration.ofSeconds(1);
    static final AtomicInteger checks = new AtomicInteger();

    @LocalServerPort
    int port;

    @Autowired
    HealthContributorRegistry contributors;

    @Autowired(required = false)
    ReactiveHealthContributorRegistry reactiveContributors;

    final HttpClient http = HttpClient.newHttpClient();

    @TestConfiguration(proxyBeanMethods = false)
    static class CountedCheck {
        @Bean
        HealthIndicator countedHealthIndicator() {
            return () -> {
                checks.incrementAndGet();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Health.up().build();
            };
        }
    }

    @BeforeAll
    static void database() {
        GatewayTestStack.freshMigratedDatabase(DB);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestStack.connectApart(registry, DB, SECRET, "it-health-memo");
        registry.add("management.endpoint.health.group.readiness.include", () -> "readinessState,db,redis,kafka,counted");
    }

    @Test
    void concurrentAndRapidAnonymousCallsShareOneRunOfTheChecksPerInterval() throws Exception {
        assertThat(get("/api/v1/health").statusCode()).isEqualTo(200);
        Thread.sleep(TTL.toMillis() + 100); // the flood starts with an expired result
        String[] paths = {"/api/v1/health", "/api/v1/health/readiness", "/actuator/health", "/actuator/health/readiness"};
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            checks.set(0);
            long start = System.nanoTime();
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String path = paths[i % paths.length];
                answers.add(callers.submit(() -> get(path).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
            long intervals = (System.nanoTime() - start) / TTL.toNanos() + 1;
            // one run per ttl the flood lasted, and one more across an edge; without the memo, one per request
            assertThat(checks.get()).as("runs for 200 requests within %d ttl(s)", intervals)
                    .isBetween(1, (int) intervals + 1);
        } finally {
            callers.shutdownNow();
        }

        Thread.sleep(TTL.toMillis() + 100);
        int before = checks.get();
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(checks.get()).as("an expired result is measured again").isEqualTo(before + 1);
    }

    /** Not only the test's check: the ones that reach the database, Kafka and Redis are shared too. */
    @Test
    void theDependencyChecksAreTheSharedOnes() {
        for (String name : new String[] {"db", "kafka", "redis"}) {
            Object check = contributors.getContributor(name);
            if (check == null && reactiveContributors != null) {
                check = reactiveContributors.getContributor(name);
            }
            assertThat(check).as(name).isInstanceOfAny(MemoizedHealthIndicator.class,
                    MemoizedReactiveHealthIndicator.class);
        }
        HealthContributor liveness = contributors.getContributor("livenessState");
        assertThat(liveness).as("the availability states are read as they are").isNotNull()
                .isNotInstanceOf(MemoizedHealthIndicator.class);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
