package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * Settings two apps must share come out equal from one environment, whichever of the names in use it sets. The
 * gateway publishes to the topics the worker consumes and waits on the results topic the worker publishes to,
 * and reads the cache and list epochs under the Redis prefix the relay writes: with two names, an environment
 * setting the one an app's README named moved that app alone (writes nobody applied, outcomes nobody heard, rows
 * cached that the relay never refreshed or tombstoned).
 */
class SharedSettingsTest {

    record Shared(String gatewayProperty, String module, String property, String name, String gatewaysFormerName,
                  String fallback) {
    }

    static final List<Shared> SHARED = List.of(
            new Shared("factory.gateway.cache.prefix", "cdc-relay", "factory.cdc.redis-prefix",
                    "FACTORY_REDIS_PREFIX", "FACTORY_CACHE_PREFIX", "factory"),
            new Shared("factory.gateway.topics.agent-writes", "ingest-worker", "factory.ingest.agent-topic",
                    "FACTORY_INGEST_AGENT_TOPIC", "FACTORY_AGENT_WRITES_TOPIC", "factory.agent-writes.v1"),
            new Shared("factory.gateway.topics.prd-writes", "ingest-worker", "factory.ingest.prd-topic",
                    "FACTORY_INGEST_PRD_TOPIC", "FACTORY_PRD_WRITES_TOPIC", "factory.prd-writes.v1"),
            new Shared("factory.gateway.topics.results", "ingest-worker", "factory.ingest.results-topic",
                    "FACTORY_INGEST_RESULTS_TOPIC", "FACTORY_WRITE_RESULTS_TOPIC", "factory.write-results.v1"));

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Shared s : SHARED) {
            cases.add(Arguments.of(s, Map.of(), s.fallback()));
            cases.add(Arguments.of(s, Map.of(s.name(), "staging"), "staging"));
            cases.add(Arguments.of(s, Map.of(s.gatewaysFormerName(), "staging"), "staging"));
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theGatewayAndItsPeerAgreeWhicheverNameIsSet(Shared s, Map<String, Object> env, String expected)
            throws IOException {
        assertThat(resolve("api-gateway", env, s.gatewayProperty())).as(s.gatewayProperty()).isEqualTo(expected);
        assertThat(resolve(s.module(), env, s.property())).as(s.property()).isEqualTo(expected);
    }

    private static String resolve(String module, Map<String, Object> env, String property) throws IOException {
        String config = module + "/src/main/resources/application.yml";
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(new MapPropertySource("env", new HashMap<>(env)));
        new YamlPropertySourceLoader().load(config, new FileSystemResource(ProjectFiles.root().resolve(config)))
                .forEach(environment.getPropertySources()::addLast);
        return environment.getRequiredProperty(property);
    }
}
