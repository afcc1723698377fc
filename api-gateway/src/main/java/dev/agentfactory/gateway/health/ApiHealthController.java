package dev.agentfactory.gateway.health;

import java.security.Principal;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Status;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/health}: the gateway's health where the dashboard and load balancers look for it, the same
 * aggregate as {@code /actuator/health} (database, Kafka, Redis), 503 when not UP. The components and their
 * details are shown to the callers {@code /actuator/health} shows them to ({@code management.endpoint.health}'s
 * {@code show-details} and {@code roles}, i.e. a service_role token); anyone else gets the status alone. No token is
 * needed (a bad one is ignored, {@code SecurityConfiguration}), so the checks behind it answer from a result up to
 * {@code factory.gateway.health.check-ttl} old ({@link HealthCheckMemoConfiguration}).
 */
@RestController
@RequestMapping("/api/v1/health")
class ApiHealthController {

    private final HealthEndpoint health;
    private final HealthEndpointGroups groups;

    ApiHealthController(HealthEndpoint health, HealthEndpointGroups groups) {
        this.health = health;
        this.groups = groups;
    }

    @GetMapping
    ResponseEntity<?> health(HttpServletRequest request) {
        return answer(health.health(), groups.getPrimary(), request);
    }

    @GetMapping("/liveness")
    ResponseEntity<?> liveness(HttpServletRequest request) {
        return answer(health.healthForPath("liveness"), groups.get("liveness"), request);
    }

    @GetMapping("/readiness")
    ResponseEntity<?> readiness(HttpServletRequest request) {
        return answer(health.healthForPath("readiness"), groups.get("readiness"), request);
    }

    /**
     * {@link HealthEndpoint} computes everything whoever asks, so what the caller may see is decided here. A
     * group that shows components without details (a setting the gateway does not use) gets the status alone
     * too: stripping details from each component is not worth a third visibility level.
     */
    private static ResponseEntity<?> answer(HealthDescriptor result, HealthEndpointGroup group,
                                            HttpServletRequest request) {
        Status status = result == null ? Status.UNKNOWN : result.getStatus();
        boolean details = result != null && group != null && group.showDetails(caller(request));
        return ResponseEntity.status(Status.UP.equals(status) ? 200 : 503)
                .body(details ? result : Map.of("status", status.getCode()));
    }

    /** The caller as the actuator sees it (Spring Security's request wrapper adds the ROLE_ prefix). */
    private static SecurityContext caller(HttpServletRequest request) {
        return new SecurityContext() {
            @Override
            public Principal getPrincipal() {
                return request.getUserPrincipal();
            }

            @Override
            public boolean isUserInRole(String role) {
                return request.isUserInRole(role);
            }
        };
    }
}
