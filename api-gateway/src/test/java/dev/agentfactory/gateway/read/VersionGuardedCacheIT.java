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

/** The shared Lua guard ({@code VersionGuardedPut}) on the real Redis of the local stack: the read model only moves forward. */
@ExtendWith(LocalStackExtension.class)
class VersionGuardedCacheIT {

    private LettuceConnectionFactory connections;
    private StringRedisTemplate redis;
    private VersionGuardedCache cache;

    @BeforeEach
    void connect(StackEndpoints stack) {
        java.net.URI endpoint = java.net.URI.create(stack.redisUrl());
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(endpoint.getHost(), endpoint.getPort()));
        connections.afterPropertiesSet();
        connections.start();
        GatewayProperties props = new GatewayProperties(1024, java.time.Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("a", "p", "r", "g"),
                new GatewayProperties.Cache("it-gateway-guard-" + UUID.randomUUID(), java.time.Duration.ofMinutes(5),
                        java.time.Duration.ofSeconds(10), 256),
                new GatewayProperties.Writes(java.time.Duration.ofMillis(250), java.time.Duration.ofHours(1), 2,
                        java.time.Duration.ofSeconds(10)));
        redis = new StringRedisTemplate(connections);
        cache = new VersionGuardedCache(redis, props);
    }

    @AfterEach
    void close() {
        connections.destroy();
    }

    @Test
    void anOlderOrEqualVersionNeverReplacesANewerOne() {
        UUID id = UUID.randomUUID();
        String key = cache.keys().agent(id);
        String slugKey = cache.keys().agentSlug("s-" + id);
        assertThat(cache.putIfNewer(true, id, "s-" + id, json(3, 99, "s-" + id), 3, false)).isTrue();
        assertThat(cache.putIfNewer(true, id, "s-" + id, json(2, 1, "s-" + id), 2, false)).isFalse();
        assertThat(cache.putIfNewer(true, id, "s-" + id, json(3, 1, "s-" + id), 3, false)).isFalse();
        assertThat(cache.get(key)).isEqualTo(json(3, 99, "s-" + id));
        assertThat(cache.putIfNewer(true, id, "s-" + id, json(4, 1, "s-" + id), 4, false)).isTrue();
        assertThat(cache.get(slugKey)).isEqualTo(id.toString());
        assertThat(redis.getExpire(key)).isPositive();
    }

    @Test
    void aCacheAsideWriteNeverGivesAnExpiryToAnEntryTheRelayKeepsForGood() {
        UUID id = UUID.randomUUID();
        String key = cache.keys().agent(id);
        redis.opsForValue().set(key, json(5, 0, "kept-" + id));   // as the relay writes it: no expiry
        assertThat(cache.putIfNewer(true, id, "kept-" + id, json(4, 0, "kept-" + id), 4, false)).isFalse();
        assertThat(redis.getExpire(key)).isEqualTo(-1L);
    }

    @Test
    void aDeletedEntityBecomesATombstoneAndARenamedSlugLeavesNoStaleKey() {
        UUID id = UUID.randomUUID();
        assertThat(cache.putIfNewer(true, id, "old-" + id, json(1, 0, "old-" + id), 1, false)).isTrue();
        assertThat(cache.putIfNewer(true, id, "new-" + id, json(2, 0, "new-" + id), 2, false)).isTrue();
        assertThat(cache.get(cache.keys().agentSlug("old-" + id))).isNull();
        assertThat(cache.get(cache.keys().agentSlug("new-" + id))).isEqualTo(id.toString());

        assertThat(cache.putIfNewer(true, id, "new-" + id, json(3, 0, "new-" + id), 3, true)).isTrue();
        assertThat(cache.get(cache.keys().agent(id))).isEqualTo(json(3, 0, "new-" + id));
        assertThat(cache.get(cache.keys().agentSlug("new-" + id))).isNull();
        assertThat(cache.putIfNewer(true, id, "new-" + id, json(2, 0, "new-" + id), 2, false)).isFalse();
    }

    /** A nested "version" inside config must not be mistaken for the entity's. */
    private static String json(long version, long nested, String slug) {
        return "{\"slug\":\"" + slug + "\",\"config\":{\"version\":" + nested + "},\"version\":" + version + "}";
    }
}
