package dev.agentfactory.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.gateway.read.VersionGuardedCache;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * The CDC leg: writes that never went through the gateway (an agent publishing to Kafka itself) reach
 * the gateway's reads because the relay refreshes Redis from the WAL. Runs when the relay is built
 * ({@code cdc-relay/target/cdc-relay.jar} with Debezium inside); the CRUD end-to-end suite does not need it.
 */
@EnabledIf("dev.agentfactory.gateway.e2e.E2eWorld#relayBuilt")
@ExtendWith(LocalStackExtension.class)
// Dirty: the context's database, topics and keys are removed after the class.
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RelayCacheRefreshIT {

    @LocalServerPort
    int port;

    @Autowired
    VersionGuardedCache cache;

    static E2eWorld world() {
        return E2eWorld.shared("relay", true);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        LocalStackExtension.ensure();
        world().register(registry);
    }

    @AfterAll
    static void stopApps() throws Exception {
        E2eWorld.closeShared("relay");
    }

    @Test
    void writesPublishedStraightToKafkaReachCachedReadsThroughTheRelay() {
        Api user = new Api(port, E2eWorld.SECRET, "authenticated");
        String token = UUID.randomUUID().toString().substring(0, 8);
        String slug = "relayed-" + token;
        String list = "/api/v1/agents?q=" + token; // q matches names
        Api.Response created = user.post("/api/v1/agents",
                "{\"slug\":\"%s\",\"name\":\"Relayed %s\",\"kind\":\"worker\"}".formatted(slug, token), "Prefer", "wait=20");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        UUID id = UUID.fromString(created.json().get("id").stringValue());
        assertThat(user.get("/api/v1/agents/" + id).header("ETag")).isEqualTo("\"1\"");
        // the first page is now cached in the gateway, at version 1
        assertThat(user.get(list).json().get("items").get(0).get("version").asLong()).isEqualTo(1);
        assertThat(user.get(list).json().get("items").get(0).get("version").asLong()).isEqualTo(1);

        try (WriteProducer agentSide = new WriteProducer(world().stack.kafkaBootstrap(), Map.of(), world().agentTopic,
                world().prdTopic)) {
            agentSide.send(new WriteEnvelope(UUID.randomUUID(), id, 1L, "agent:relayed", Instant.now(), 1,
                    new WriteCommand.AgentUpdate(JsonNodeFactory.instance.objectNode().put("name", "Renamed by agent " + token))))
                    .join();
            // The gateway holds version 1 in Redis and was not told about this write: only the relay moves it.
            Poll.until(Duration.ofSeconds(30), "the relay to cache version 2",
                    () -> "\"2\"".equals(user.get("/api/v1/agents/" + id).header("ETag")));
            assertThat(user.get("/api/v1/agents/" + id).json().get("name").stringValue())
                    .isEqualTo("Renamed by agent " + token);
            // The relay ended the list epoch before it moved the entity key: the cached page is not served again.
            assertThat(user.get(list).json().get("items").get(0).get("name").stringValue())
                    .isEqualTo("Renamed by agent " + token);

            agentSide.send(WriteEnvelope.of(id, 2L, "agent:relayed", new WriteCommand.AgentDelete())).join();
            Poll.until(Duration.ofSeconds(30), "the relay to cache the deletion",
                    () -> user.get("/api/v1/agents/" + id).status() == 410);
            assertThat(user.get(list).json().get("items")).isEmpty();
        }
    }

    /**
     * An operator's purge (a hard delete, as for a privacy erasure) while a read that missed the cache had
     * loaded the row just before it: the read's cache write lands after the relay has seen the delete, and
     * must not bring the row back (it would be served for the whole cache TTL).
     */
    @Test
    void aPurgedAgentAnswers404EvenWhenAReadThatRacedThePurgeCachesItAfterwards() throws Exception {
        Api user = new Api(port, E2eWorld.SECRET, "authenticated");
        String slug = "purged-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = user.post("/api/v1/agents",
                "{\"slug\":\"%s\",\"name\":\"To be erased\",\"kind\":\"worker\"}".formatted(slug), "Prefer", "wait=20");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        UUID id = UUID.fromString(created.json().get("id").stringValue());
        String key = cache.keys().agent(id);
        Poll.until(Duration.ofSeconds(30), "version 1 cached", () -> user.get("/api/v1/agents/" + id).status() == 200
                && cache.get(key) != null);
        String loadedBeforeThePurge = cache.get(key);

        world().purgeAgent(id);
        Poll.until(Duration.ofSeconds(30), "the relay to see the purge",
                () -> user.get("/api/v1/agents/" + id).status() == 404);
        // the racing read's cache-aside write, through the gateway's own cache writer
        cache.putIfNewer(true, id, slug, loadedBeforeThePurge, 1, false);

        assertThat(user.get("/api/v1/agents/" + id).status()).isEqualTo(404);
        assertThat(user.get("/api/v1/agents/" + slug).status()).isEqualTo(404);
        assertThat(cache.get(key)).doesNotContain("To be erased");
    }
}
