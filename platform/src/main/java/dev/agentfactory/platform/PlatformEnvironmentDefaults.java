package dev.agentfactory.platform;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import dev.agentfactory.platform.logging.CloudLoggingFormatter;

/**
 * Defaults the three apps share for running in production: structured JSON logs that Cloud Logging
 * understands, the Prometheus endpoint, health probes, and Google Cloud Monitoring export under the
 * {@value #GCP_PROFILE} profile. Added with the lowest precedence, so an app's application.yml, an
 * environment variable or a command-line argument still wins.
 */
public class PlatformEnvironmentDefaults implements EnvironmentPostProcessor {

    /** Turns on the Stackdriver (Google Cloud Monitoring) registry; set on Cloud Run. */
    public static final String GCP_PROFILE = "gcp";

    static final String PROPERTY_SOURCE = "factoryPlatformDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("logging.structured.format.console", CloudLoggingFormatter.class.getName());
        defaults.put("management.endpoints.web.exposure.include", "health,info,prometheus,metrics");
        defaults.put("management.endpoint.health.probes.enabled", "true");
        defaults.put("management.metrics.tags.application", "${spring.application.name:unknown}");
        defaults.put("management.prometheus.metrics.export.enabled", "true");
        // Histogram buckets for the latencies the SLOs are written against (docs/operations.md):
        // quantiles can then be aggregated across instances, and the SLO thresholds are exact buckets.
        defaults.put("management.metrics.distribution.percentiles-histogram.http.server.requests", "true");
        defaults.put("management.metrics.distribution.percentiles-histogram.factory", "true");
        defaults.put("management.metrics.distribution.slo.http.server.requests", "100ms,500ms");
        defaults.put("management.metrics.distribution.slo.factory.ingest.end_to_end", "200ms,1s");
        // the relay's propagation SLO (5 s) and its benchmark target (p99 1 s)
        defaults.put("management.metrics.distribution.slo.factory.cdc.sink.lag", "1s,5s");
        // The registry is on every app's class path; without this it would try to export (and fail
        // for lack of credentials) on a developer's machine.
        boolean gcp = environment.matchesProfiles(GCP_PROFILE);
        defaults.put("management.stackdriver.metrics.export.enabled", Boolean.toString(gcp));
        if (gcp) {
            defaults.put("management.stackdriver.metrics.export.project-id", "${GOOGLE_CLOUD_PROJECT}");
            defaults.put("management.stackdriver.metrics.export.step", "1m");
            // Counters (and each timer's count) as CUMULATIVE rather than the registry's default GAUGE: Cloud
            // Monitoring computes rate() and increase() over CUMULATIVE and DELTA series only, so the alerts in
            // docs/operations.md see nothing over a GAUGE counter. Each point still holds one step's count.
            defaults.put("management.stackdriver.metrics.export.use-semantic-metric-types", "true");
            // One series per instance: Cloud Monitoring rejects points that several instances write
            // to the same series within its sampling period, which "global" would make them do.
            defaults.put("management.stackdriver.metrics.export.resource-type", "generic_task");
            defaults.put("management.stackdriver.metrics.export.resource-labels.location",
                    "${GOOGLE_CLOUD_REGION:global}");
            defaults.put("management.stackdriver.metrics.export.resource-labels.namespace", "agent-factory");
            defaults.put("management.stackdriver.metrics.export.resource-labels.job", "${spring.application.name:unknown}");
            defaults.put("management.stackdriver.metrics.export.resource-labels.task_id", UUID.randomUUID().toString());
        }
        environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, defaults));
    }
}
