package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * The gateway reads the entity cache and list epochs under the key prefix the CDC relay writes them under. With
 * two prefixes the gateway would cache rows on its misses that the relay never refreshes or tombstones (stale
 * reads for the cache TTL) and its first list pages would never see the relay end their epoch; so one
 * environment gives both apps the same prefix, whichever of the two variable names it sets.
 */
class RedisPrefixTest {

    static Iterable<Map<String, Object>> environments() {
        return java.util.List.of(Map.of(), Map.of("FACTORY_REDIS_PREFIX", "staging"),
                Map.of("FACTORY_CACHE_PREFIX", "staging"),
                Map.of("FACTORY_REDIS_PREFIX", "staging", "FACTORY_CACHE_PREFIX", "staging"));
    }

    @ParameterizedTest
    @MethodSource("environments")
    void theGatewayReadsUnderThePrefixTheRelayWrites(Map<String, Object> env) throws IOException {
        String gateway = resolve("api-gateway", env, "factory.gateway.cache.prefix");
        String relay = resolve("cdc-relay", env, "factory.cdc.redis-prefix");

        assertThat(gateway).isEqualTo(relay).isEqualTo(env.isEmpty() ? "factory" : "staging");
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
