package dev.agentfactory.gateway.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** The Lua guard on the real Redis of the local stack: the cache only ever moves forward. */
@ExtendWith(LocalStackExtension.class)
class VersionGuardedCacheIT {

    private LettuceConnectionFactory connections;
    private VersionGuardedCache cache;

    @BeforeEach
    void connect(StackEndpoints stack) {
        java.net.URI redis = java.net.URI.create(stack.redisUrl());
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.getHost(), redis.getPort()));
        connections.afterPropertiesSet();
        connections.start();
        GatewayProperties props = new GatewayProperties(1024, java.time.Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("a", "p", "r", "g"),
                new GatewayProperties.Cache("it-gateway-guard-" + UUID.randomUUID(), java.time.Duration.ofMinutes(5),
                        java.time.Duration.ofSeconds(10), 256),
                new GatewayProperties.Writes(java.time.Duration.ofMillis(250), java.time.Duration.ofHours(1), 2,
                        java.time.Duration.ofSeconds(10)));
        cache = new VersionGuardedCache(new StringRedisTemplate(connections), props);
    }

    @AfterEach
    void close() {
        connections.destroy();
    }

    @Test
    void anOlderOrEqualVersionNeverReplacesANewerOne() {
        UUID id = UUID.randomUUID();
        String key = cache.keys().agent(id);
        String slug = cache.keys().agentSlug("s-" + id);
        assertThat(cache.putIfNewer(key, slug, id.toString(), json(3, 99), 3)).isTrue();
        assertThat(cache.putIfNewer(key, slug, id.toString(), json(2, 1), 2)).isFalse();
        assertThat(cache.putIfNewer(key, slug, id.toString(), json(3, 1), 3)).isFalse();
        assertThat(cache.get(key)).isEqualTo(json(3, 99));
        assertThat(cache.putIfNewer(key, slug, id.toString(), json(4, 1), 4)).isTrue();
        assertThat(cache.get(slug)).isEqualTo(id.toString());
    }

    /** A nested "version" inside config must not be mistaken for the entity's. */
    private static String json(long version, long nested) {
        return "{\"config\":{\"version\":" + nested + "},\"version\":" + version + "}";
    }
}
