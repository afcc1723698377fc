package dev.agentfactory.gateway.health;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/health}: the gateway's health where the dashboard and load balancers look for it,
 * the same aggregate as {@code /actuator/health} (database, Kafka, Redis), 503 when not UP.
 */
@RestController
@RequestMapping("/api/v1/health")
class ApiHealthController {

    private final HealthEndpoint health;

    ApiHealthController(HealthEndpoint health) {
        this.health = health;
    }

    @GetMapping
    ResponseEntity<?> health() {
        var result = health.health();
        return ResponseEntity.status(Status.UP.equals(result.getStatus()) ? 200 : 503).body(result);
    }

    @GetMapping("/liveness")
    ResponseEntity<?> liveness() {
        var result = health.healthForPath("liveness");
        return ResponseEntity.status(result != null && Status.UP.equals(result.getStatus()) ? 200 : 503).body(result);
    }

    @GetMapping("/readiness")
    ResponseEntity<?> readiness() {
        var result = health.healthForPath("readiness");
        return ResponseEntity.status(result != null && Status.UP.equals(result.getStatus()) ? 200 : 503).body(result);
    }
}
