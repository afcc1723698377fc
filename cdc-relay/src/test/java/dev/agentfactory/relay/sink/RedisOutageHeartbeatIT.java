package dev.agentfactory.relay.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.TestCdcProperties;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.HalfOpenProxy;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.json.JsonMapper;

/**
 * A heartbeat's delivery while Redis cannot be reached: it returns (the relay goes on acknowledging heartbeats, and
 * delivering what Redis does not cache), within the sink timeout. Lettuce holds commands while it reconnects, and the
 * server check waited for the client's command timeout (60 s), so every attempt timed out and the delivery failed.
 */
@ExtendWith(LocalStackExtension.class)
class RedisOutageHeartbeatIT {

    private static final CdcProperties PROPS = TestCdcProperties.with(Map.of("sink-timeout", "2s", "sink-attempts", "2",
            "retry-backoff", "100ms"));

    private final ReadModelKeys keys = new ReadModelKeys("it-relay-outage-" + UUID.randomUUID());
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private LettuceConnectionFactory connections;
    private StringRedisTemplate direct;

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        if (connections != null) {
            connections.destroy();
        }
        if (direct != null) {
            direct.delete(keys.server());
            ((LettuceConnectionFactory) direct.getConnectionFactory()).destroy();
        }
    }

    @Test
    void aHeartbeatIsDeliveredWhileRedisIsDown(StackEndpoints endpoints) throws Exception {
        heartbeatDeliveredAfter(endpoints, proxy -> {
            try {
                proxy.close(); // connections refused: Lettuce reconnects, holding the commands meanwhile
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aHeartbeatIsDeliveredWhileTheRedisConnectionIsHalfOpen(StackEndpoints endpoints) throws Exception {
        heartbeatDeliveredAfter(endpoints, HalfOpenProxy::silenceOpenConnections);
    }

    private void heartbeatDeliveredAfter(StackEndpoints endpoints, Consumer<HalfOpenProxy> fault) throws Exception {
        URI redisUrl = URI.create(endpoints.redisUrl());
        direct = template(redisUrl.getHost(), redisUrl.getPort());
        try (HalfOpenProxy proxy = new HalfOpenProxy(redisUrl.getHost(), redisUrl.getPort())) {
            connections = factory("127.0.0.1", proxy.port());
            RedisReadModelSink sink = new RedisReadModelSink(new StringRedisTemplate(connections), keys,
                    new ReadModelCodec(), new Rows(JsonMapper.builder().build()), 60, PROPS.sinkTimeout().dividedBy(2));
            SinkDispatcher dispatcher = new SinkDispatcher(List.of(sink), executor, PROPS, new SimpleMeterRegistry());
            dispatcher.deliver(List.of());
            assertThat(direct.hasKey(keys.server())).as("the sink used Redis: its server is on record").isTrue();

            fault.accept(proxy);
            long started = System.nanoTime();
            dispatcher.deliver(List.of());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROPS.sinkTimeout());
        }
    }

    private static LettuceConnectionFactory factory(String host, int port) {
        LettuceConnectionFactory f = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
        f.afterPropertiesSet();
        f.start();
        return f;
    }

    private static StringRedisTemplate template(String host, int port) {
        return new StringRedisTemplate(factory(host, port));
    }
}
