package dev.agentfactory.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.stackdriver.StackdriverProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.stackdriver.StackdriverPropertiesConfigAdapter;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.agentfactory.platform.logging.CloudLoggingFormatter;

class PlatformEnvironmentDefaultsTest {

    @Test
    void withoutTheGcpProfileLogsAreCloudLoggingJsonAndNothingIsExportedToGoogle() {
        StandardEnvironment environment = processed();

        assertThat(environment.getProperty("logging.structured.format.console"))
                .isEqualTo(CloudLoggingFormatter.class.getName());
        assertThat(environment.getProperty("management.endpoints.web.exposure.include")).contains("prometheus", "health");
        assertThat(environment.getProperty("management.stackdriver.metrics.export.enabled")).isEqualTo("false");
    }

    @Test
    void theGcpProfileTurnsOnTheStackdriverRegistryForTheProjectOfTheEnvironment() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of("GOOGLE_CLOUD_PROJECT", "p-1", "GOOGLE_CLOUD_REGION", "r-1")));
        environment.setActiveProfiles(PlatformEnvironmentDefaults.GCP_PROFILE);
        new PlatformEnvironmentDefaults().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("management.stackdriver.metrics.export.enabled")).isEqualTo("true");
        assertThat(environment.getProperty("management.stackdriver.metrics.export.project-id")).isEqualTo("p-1");
        assertThat(environment.getProperty("management.stackdriver.metrics.export.resource-type")).isEqualTo("generic_task");
        Map<String, String> labels = Binder.get(environment).bind("management.stackdriver.metrics.export.resource-labels",
                Bindable.mapOf(String.class, String.class)).get();
        assertThat(labels).containsEntry("location", "r-1").containsEntry("namespace", "agent-factory")
                .containsKey("job").containsKey("task_id");
        assertThat(labels.get("task_id")).hasSize(36);
    }

    @Test
    void theGcpProfileExportsCountersAsCumulativeSoCloudMonitoringCanRateThem() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of("GOOGLE_CLOUD_PROJECT", "p-1")));
        environment.setActiveProfiles(PlatformEnvironmentDefaults.GCP_PROFILE);
        new PlatformEnvironmentDefaults().postProcessEnvironment(environment, null);

        // bound as Spring Boot binds it for the registry, so a misspelt property name fails here
        StackdriverProperties properties = Binder.get(environment)
                .bind("management.stackdriver.metrics.export", StackdriverProperties.class).get();
        assertThat(new StackdriverPropertiesConfigAdapter(properties).useSemanticMetricTypes()).isTrue();
    }

    @Test
    void anAppsOwnSettingOrAnEnvironmentVariableWinsOverTheDefaults() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("app",
                Map.of("management.endpoints.web.exposure.include", "health")));
        new PlatformEnvironmentDefaults().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("management.endpoints.web.exposure.include")).isEqualTo("health");
        assertThat(environment.getPropertySources().stream().reduce((a, b) -> b).orElseThrow().getName())
                .isEqualTo(PlatformEnvironmentDefaults.PROPERTY_SOURCE);
    }

    private static StandardEnvironment processed() {
        StandardEnvironment environment = new StandardEnvironment();
        new PlatformEnvironmentDefaults().postProcessEnvironment(environment, null);
        return environment;
    }
}
