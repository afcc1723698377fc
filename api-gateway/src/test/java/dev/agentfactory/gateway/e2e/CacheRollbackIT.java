package dev.agentfactory.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.RedisServer;
import dev.agentfactory.stack.junit.FreePorts;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;

/**
 * A Redis that comes back with older values than it acknowledged: here a Redis of the test's own crashes and
 * restarts from its last RDB snapshot, taken before the relay's last write (a failover to a replica behind on
 * asynchronous replication does the same). Relay entries do not expire and the version guard compares only with
 * what Redis holds, so until the relay's server check (its {@code ReadModelServerCheck}) dropped the read model of
 * a server it had not written to, an entity that did not change again was served at the rolled-back version for
 * ever. The relay finds the new server at its next delivery, a heartbeat at the latest.
 */
@EnabledIf("dev.agentfactory.gateway.e2e.E2eWorld#relayBuilt")
@ExtendWith(LocalStackExtension.class)
class CacheRollbackIT {

    @Test
    void aRedisRestartedFromAnOlderSnapshotServesThePrimarysVersionAgain(LocalStack local) throws Exception {
        ReadModelCodec codec = new ReadModelCodec();
        UUID id = UUID.randomUUID();
        int port = FreePorts.take();
        RedisServer ownRedis = new RedisServer(Files.createDirectories(Path.of("target", "it-redis-rollback").toAbsolutePath()), port);
        ownRedis.ensureStarted();
        ownRedis.command("FLUSHALL"); // a snapshot left by an earlier run is not this one's
        String redisUrl = "redis://127.0.0.1:" + port;
        try (E2eWorld world = new E2eWorld("rollback", local);
             WriteProducer agentSide = new WriteProducer(local.endpoints().kafkaBootstrap(), Map.of(), world.agentTopic,
                     world.prdTopic)) {
            world.startRelay(false, redisUrl);
            String key = new ReadModelKeys(world.cachePrefix).agent(id);
            RedisClient client = RedisClient.create(redisUrl);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                agentSide.send(WriteEnvelope.of(id, null, "agent:rollback", new WriteCommand.AgentCreate(
                        "rollback-" + id.toString().substring(0, 8), "Before", "planner", null, null, null, null))).join();
                Poll.until(Duration.ofSeconds(60), "v1 cached by the relay", () -> version(codec, redis.get(key)) == 1);
                assertThat(ownRedis.command("SAVE")).isEqualTo("OK");

                agentSide.send(WriteEnvelope.of(id, 1L, "agent:rollback", new WriteCommand.AgentUpdate(
                        JsonNodeFactory.instance.objectNode().put("name", "After")))).join();
                Poll.until(Duration.ofSeconds(60), "v2 cached by the relay", () -> version(codec, redis.get(key)) == 2);

                ownRedis.stop(); // SHUTDOWN NOSAVE: the crash; the snapshot on disk still holds v1
                ownRedis.ensureStarted();
                try {
                    Poll.until(Duration.ofSeconds(30), "the cache to hold v2 again, or nothing (a read then loads v2)",
                            () -> version(codec, redis.get(key)) != 1);
                } catch (AssertionError stale) {
                    throw new AssertionError(stale.getMessage() + ": Redis still holds v1 of agent " + id
                            + " (primary v2) with TTL " + redis.ttl(key) + " s; the gateway serves it on every read",
                            stale);
                }
            } finally {
                client.shutdown();
            }
        } finally {
            ownRedis.stop();
        }
    }

    private static long version(ReadModelCodec codec, String value) {
        return value == null ? -1 : codec.version(value);
    }
}
