package dev.agentfactory.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.agentfactory.gateway.read.CachedReads;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * The write and read paths end to end on the real local stack: HTTP → gateway → Kafka → worker
 * (subprocess) → PostgreSQL, outcomes back over the results topic, reads through Redis. One Spring
 * context and one worker for the class; every test makes its own entities.
 */
@ExtendWith(LocalStackExtension.class)
// Dirty: the context's database, topics and keys are removed after the class.
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayEndToEndIT {

    static final String WAIT = "wait=20";
    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    Api user;
    Api service;

    static E2eWorld world() {
        return E2eWorld.shared("e2e", false);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        LocalStackExtension.ensure();
        world().register(registry);
    }

    @AfterAll
    static void stopApps() throws Exception {
        E2eWorld.closeShared("e2e");
    }

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    CachedReads cached;

    @BeforeEach
    void clients() {
        // The results listener starts at the latest offset: wait until it has its partitions.
        Poll.until(Duration.ofSeconds(30), "the write-results listener's assignment", () -> {
            var assigned = listeners.getListenerContainer("gateway-write-results").getAssignedPartitions();
            return assigned != null && !assigned.isEmpty();
        });
        user = new Api(port, E2eWorld.SECRET, "authenticated");
        service = new Api(port, E2eWorld.SECRET, "service_role");
    }

    @Test
    void agentIsCreatedReadUpdatedAndDeletedWithVersionsHistoryAndAudit() {
        String slug = "scout-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = user.post("/api/v1/agents", """
                {"slug":"%s","name":"Scout","kind":"researcher","config":{"model":"m1","depth":3}}""".formatted(slug),
                "Prefer", WAIT);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("ETag")).isEqualTo("\"1\"");
        assertThat(created.header("Preference-Applied")).isEqualTo(WAIT);
        String id = created.json().get("id").stringValue();
        assertThat(created.header("Location")).isEqualTo("/api/v1/agents/" + id);

        Api.Response read = user.get("/api/v1/agents/" + id);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("ETag")).isEqualTo("\"1\"");
        assertThat(user.get("/api/v1/agents/" + slug).json().get("id").stringValue()).isEqualTo(id);
        assertThat(user.get("/api/v1/agents/" + id, "If-None-Match", "\"1\"").status()).isEqualTo(304);

        Api.Response updated = user.patch("/api/v1/agents/" + id, """
                {"name":"Scout II","config":{"depth":5,"model":null}}""", "If-Match", "\"1\"", "Prefer", WAIT);
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.header("ETag")).isEqualTo("\"2\"");
        // read-your-writes: the very next read returns at least the version the write answered
        Api.Response afterUpdate = user.get("/api/v1/agents/" + id);
        assertThat(afterUpdate.header("ETag")).isEqualTo("\"2\"");
        assertThat(afterUpdate.json().get("name").stringValue()).isEqualTo("Scout II");
        assertThat(afterUpdate.json().get("config").toString()).isEqualTo("{\"depth\":5}");

        Api.Response stale = user.patch("/api/v1/agents/" + id, "{\"name\":\"late\"}", "If-Match", "\"1\"",
                "Prefer", WAIT);
        assertThat(stale.status()).as(stale.toString()).isEqualTo(412);
        assertThat(stale.json().get("currentVersion").asLong()).isEqualTo(2);
        // If-Match compares strongly: a weak tag never matches, even the current version's
        Api.Response weak = user.patch("/api/v1/agents/" + id, "{\"name\":\"weak\"}", "If-Match", "W/\"2\"",
                "Prefer", WAIT);
        assertThat(weak.status()).as(weak.toString()).isEqualTo(412);
        assertThat(weak.json().get("type").stringValue()).endsWith("/precondition-failed");

        // If-Match: * asks only that the agent exists
        Api.Response state = user.put("/api/v1/agents/" + id + "/state", "{\"step\":3}", "If-Match", "*",
                "Prefer", WAIT);
        assertThat(state.status()).as(state.toString()).isEqualTo(200);
        assertThat(state.header("ETag")).isEqualTo("\"3\"");
        Api.Response learned = user.post("/api/v1/agents/" + id + "/history",
                "{\"kind\":\"learning\",\"entry\":{\"lesson\":\"cache first\"}}", "Prefer", WAIT);
        assertThat(learned.status()).as(learned.toString()).isEqualTo(200);

        JsonNode history = user.get("/api/v1/agents/" + id + "/history").json();
        assertThat(history.get("items")).hasSize(1);
        assertThat(history.get("items").get(0).get("entry").get("lesson").stringValue()).isEqualTo("cache first");
        JsonNode versions = user.get("/api/v1/agents/" + id + "/versions").json().get("items");
        assertThat(versions).extracting(v -> v.get("version").asLong()).containsExactly(3L, 2L, 1L);
        assertThat(user.get("/api/v1/agents/" + id + "/versions/1").json().get("snapshot").get("name").stringValue())
                .isEqualTo("Scout");
        JsonNode diff = user.get("/api/v1/agents/" + id + "/versions/diff?from=1&to=2").json().get("patch");
        assertThat(diff.toString()).contains("{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Scout II\"}")
                .contains("{\"op\":\"remove\",\"path\":\"/config/model\"}");

        Api.Response deleted = user.delete("/api/v1/agents/" + id, "Prefer", WAIT);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.header("ETag")).isEqualTo("\"4\"");
        Api.Response gone = user.get("/api/v1/agents/" + id);
        assertThat(gone.status()).isEqualTo(410);
        assertThat(gone.json().get("version").asLong()).isEqualTo(4);
        Api.Response afterDelete = user.patch("/api/v1/agents/" + id, "{\"name\":\"ghost\"}", "Prefer", WAIT);
        assertThat(afterDelete.status()).as(afterDelete.toString()).isEqualTo(410);

        JsonNode audit = service.get("/api/v1/audit?entityType=agent&entityId=" + id).json().get("items");
        assertThat(audit).extracting(e -> e.get("commandType").stringValue())
                .containsExactly("agent.create", "agent.update", "agent.state.put", "agent.history.append",
                        "agent.delete");
        assertThat(audit).allSatisfy(e -> assertThat(e.get("actor").stringValue()).isEqualTo(user.subject));
        String deletedAt = audit.get(4).get("committedAt").stringValue();
        assertThat(service.get("/api/v1/audit?entityType=agent&entityId=" + id + "&from=" + deletedAt).json()
                .get("items")).extracting(e -> e.get("commandType").stringValue()).containsExactly("agent.delete");
        assertThat(service.get("/api/v1/audit?entityType=agent&entityId=" + id + "&to=" + deletedAt).json()
                .get("items")).hasSize(4);
        assertThat(service.get("/api/v1/audit?actor=" + user.subject).json().get("items").size()).isGreaterThanOrEqualTo(5);
    }

    /**
     * An append adds a history row and leaves the agent, its version included, as it was: its waited answer is the
     * outcome with that version, not the agent read back (up to about 1.2 MB), and it ends no list epoch, while an
     * applied state put still does. The entry is in the history pages at once.
     */
    @Test
    void aWaitedHistoryAppendIsAnsweredWithItsOutcomeAndTheAgentsVersionAndLeavesTheListCacheAlone() {
        String token = "ha" + shortId();
        String id = createAgent(token, "Appender " + token);
        String epochKey = cached.keys().agentListEpoch();
        assertThat(user.get("/api/v1/agents?q=" + token).status()).isEqualTo(200);
        String epoch = redis.opsForValue().get(epochKey);
        assertThat(epoch).as("the epoch the list read started").isNotNull();

        String key = "append-" + UUID.randomUUID();
        String entry = "{\"kind\":\"learning\",\"entry\":{\"lesson\":\"read less\"}}";
        Api.Response appended = user.post("/api/v1/agents/" + id + "/history", entry, "Prefer", WAIT,
                "Idempotency-Key", key);

        assertThat(appended.status()).as(appended.toString()).isEqualTo(200);
        assertThat(appended.header("ETag")).isNull();
        assertThat(appended.header("Preference-Applied")).isEqualTo(WAIT);
        assertThat(appended.header("Location")).isNull();
        JsonNode body = appended.json();
        String eventId = body.get("eventId").stringValue();
        assertThat(appended.header("Link")).isEqualTo("</api/v1/writes/" + eventId + ">; rel=\"write-outcome\"");
        assertThat(body.propertyNames()).containsExactly("eventId", "entityId", "type", "status", "version");
        assertThat(body.get("entityId").stringValue()).isEqualTo(id);
        assertThat(body.get("type").stringValue()).isEqualTo("agent.history.append");
        assertThat(body.get("status").stringValue()).isEqualTo("APPLIED");
        assertThat(body.get("version").asLong()).isEqualTo(1);
        assertThat(redis.opsForValue().get(epochKey)).as("the list epoch after the append").isEqualTo(epoch);

        JsonNode history = user.get("/api/v1/agents/" + id + "/history").json().get("items");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("eventId").stringValue()).isEqualTo(eventId);
        assertThat(history.get(0).get("entry").get("lesson").stringValue()).isEqualTo("read less");
        assertThat(user.get("/api/v1/agents/" + id).header("ETag")).isEqualTo("\"1\"");

        // the same append retried under its key: answered from the stored outcome, the same way, applied once
        Api.Response again = user.post("/api/v1/agents/" + id + "/history", entry, "Prefer", WAIT,
                "Idempotency-Key", key);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.header("ETag")).isNull();
        assertThat(again.json()).isEqualTo(body);
        assertThat(user.get("/api/v1/agents/" + id + "/history").json().get("items")).hasSize(1);
        assertThat(redis.opsForValue().get(epochKey)).as("the list epoch after the retry").isEqualTo(epoch);

        Api.Response state = user.put("/api/v1/agents/" + id + "/state", "{\"step\":1}", "Prefer", WAIT);
        assertThat(state.status()).as(state.toString()).isEqualTo(200);
        assertThat(state.header("ETag")).isEqualTo("\"2\"");
        assertThat(redis.opsForValue().get(epochKey)).as("the list epoch after a state put").isNotEqualTo(epoch);

        // retried after the agent changed: the answer still says the version the entry was appended at, and no tag
        Api.Response later = user.post("/api/v1/agents/" + id + "/history", entry, "Prefer", WAIT,
                "Idempotency-Key", key);
        assertThat(later.status()).as(later.toString()).isEqualTo(200);
        assertThat(later.header("ETag")).isNull();
        assertThat(later.json()).isEqualTo(body);
    }

    @Test
    void prdIsCreatedLinkedToAnAgentUpdatedUnlinkedAndDeleted() {
        String agentId = createAgent("linked-" + shortId(), "Linked");
        String slug = "prd-" + shortId();
        Api.Response created = user.post("/api/v1/prds", """
                {"slug":"%s","title":"Checkout v2","body":"# Goals"}""".formatted(slug), "Prefer", WAIT);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").stringValue();
        assertThat(user.get("/api/v1/prds/" + slug).json().get("title").stringValue()).isEqualTo("Checkout v2");

        Api.Response linked = user.put("/api/v1/prds/" + id + "/agents/" + agentId, "{\"role\":\"implementer\"}",
                "Prefer", WAIT);
        assertThat(linked.status()).as(linked.toString()).isEqualTo(200);
        assertThat(user.get("/api/v1/prds/" + id + "/agents").json()).extracting(l -> l.get("agentId").stringValue())
                .containsExactly(agentId);
        assertThat(user.get("/api/v1/agents/" + agentId + "/prds").json().get("items"))
                .extracting(l -> l.get("prdId").stringValue()).containsExactly(id);
        Api.Response unknownAgent = user.put("/api/v1/prds/" + id + "/agents/" + UUID.randomUUID(), null, "Prefer", WAIT);
        assertThat(unknownAgent.status()).as(unknownAgent.toString()).isEqualTo(422);

        Api.Response review = user.patch("/api/v1/prds/" + id, "{\"status\":\"review\"}", "Prefer", WAIT);
        assertThat(review.status()).as(review.toString()).isEqualTo(200);
        assertThat(review.json().get("status").stringValue()).as("the form a PATCH takes back").isEqualTo("review");
        long reviewVersion = Long.parseLong(review.header("ETag").replace("\"", ""));
        assertThat(user.get("/api/v1/prds/" + id).header("ETag")).isEqualTo("\"" + reviewVersion + "\"");

        assertThat(user.delete("/api/v1/prds/" + id + "/agents/" + agentId, "Prefer", WAIT).status()).isEqualTo(200);
        assertThat(user.get("/api/v1/prds/" + id + "/agents").json()).isEmpty();
        assertThat(user.delete("/api/v1/prds/" + id, "Prefer", WAIT).status()).isEqualTo(200);
        assertThat(user.get("/api/v1/prds/" + id).status()).isEqualTo(410);
        assertThat(user.get("/api/v1/prds/" + id + "/versions").json().get("items").get(0).get("changeType").stringValue())
                .isEqualTo("delete");
        assertThat(service.get("/api/v1/audit?entityType=prd&entityId=" + id).json().get("items"))
                .extracting(e -> e.get("commandType").stringValue())
                .contains("prd.create", "prd.link-agent", "prd.update", "prd.unlink-agent", "prd.delete");
    }

    @Test
    void aWriteToADeletedEntityIsGoneLikeItsReadEvenWhenItsIfMatchNamesTheDeletedVersion() {
        String agentPath = "/api/v1/agents/" + createAgent("doomed-" + shortId(), "Doomed");
        Api.Response deleted = user.delete(agentPath, "If-Match", "\"1\"", "Prefer", WAIT);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        String deletedTag = deleted.header("ETag");
        JsonNode gone = user.get(agentPath).json();

        String linked = createAgent("survivor-" + shortId(), "Survivor");
        Api.Response prd = user.post("/api/v1/prds", "{\"slug\":\"doomed-%s\",\"title\":\"Doomed\",\"body\":\"x\"}"
                .formatted(shortId()), "Prefer", WAIT);
        String prdPath = "/api/v1/prds/" + prd.json().get("id").stringValue();
        assertThat(user.delete(prdPath, "Prefer", WAIT).status()).isEqualTo(200);
        JsonNode prdGone = user.get(prdPath).json();

        for (Api.Response r : List.of(
                user.patch(agentPath, "{\"name\":\"ghost\"}", "If-Match", deletedTag, "Prefer", WAIT),
                user.put(agentPath + "/state", "{\"step\":1}", "If-Match", "\"1\"", "Prefer", WAIT),
                user.delete(agentPath, "If-Match", deletedTag, "Prefer", WAIT),
                user.patch(agentPath, "{\"name\":\"ghost\"}", "Prefer", WAIT))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(410);
            assertThat(r.json().get("type").stringValue()).isEqualTo(gone.get("type").stringValue()).endsWith("/deleted");
            assertThat(r.json().get("version")).isEqualTo(gone.get("version"));
            assertThat(r.json().get("deletedAt")).isEqualTo(gone.get("deletedAt"));
            assertThat(r.json().has("eventId")).isTrue();
        }
        for (Api.Response r : List.of(
                user.patch(prdPath, "{\"title\":\"ghost\"}", "If-Match", "\"2\"", "Prefer", WAIT),
                user.put(prdPath + "/agents/" + linked, "{\"role\":\"owner\"}", "If-Match", "\"1\"", "Prefer", WAIT))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(410);
            assertThat(r.json().get("type").stringValue()).isEqualTo(prdGone.get("type").stringValue());
            assertThat(r.json().get("deletedAt")).isEqualTo(prdGone.get("deletedAt"));
        }
    }

    @Test
    void withoutAWaitTheWriteIsAcceptedAndItsOutcomeCanBeFollowed() {
        Api.Response accepted = user.post("/api/v1/agents",
                "{\"slug\":\"async-%s\",\"name\":\"Async\",\"kind\":\"writer\"}".formatted(shortId()));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String location = accepted.header("Location");
        assertThat(location).isEqualTo("/api/v1/writes/" + accepted.json().get("eventId").stringValue());
        Poll.until(Duration.ofSeconds(30), "the outcome of " + location, () -> user.get(location).status() == 200);
        JsonNode outcome = user.get(location).json();
        assertThat(outcome.get("status").stringValue()).isEqualTo("APPLIED");
        assertThat(outcome.get("type").stringValue()).isEqualTo("agent.create");
        String entityId = accepted.json().get("entityId").stringValue();
        assertThat(user.get("/api/v1/agents/" + entityId).header("ETag"))
                .isEqualTo("\"" + outcome.get("version").asLong() + "\"");
    }

    @Test
    void anIdempotencyKeyReplaysTheSameAnswerAndRefusesADifferentRequest() {
        String key = "create-" + UUID.randomUUID();
        String body = "{\"slug\":\"idem-%s\",\"name\":\"Once\",\"kind\":\"writer\"}".formatted(shortId());
        Api.Response first = user.post("/api/v1/agents", body, "Idempotency-Key", key, "Prefer", WAIT);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        Api.Response again = user.post("/api/v1/agents", body, "Idempotency-Key", key, "Prefer", WAIT);
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(again.header("Link")).isEqualTo(first.header("Link"));
        Api.Response other = user.post("/api/v1/agents", body.replace("Once", "Twice"), "Idempotency-Key", key);
        assertThat(other.status()).as(other.toString()).isEqualTo(422);
        assertThat(other.json().get("type").stringValue()).endsWith("idempotency-key-reused");
        String id = first.json().get("id").stringValue();
        assertThat(service.get("/api/v1/audit?entityType=agent&entityId=" + id).json().get("items")).hasSize(1);
    }

    @Test
    void listsFilterByStatusTimeAndTextSortAndPageWithCursors() {
        String token = "zq" + shortId();
        Instant before = Instant.now().minusSeconds(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(createAgent(token + "-" + i, "Finder " + token.toUpperCase() + " " + i));
        }
        user.patch("/api/v1/agents/" + ids.get(0), "{\"status\":\"paused\"}", "Prefer", WAIT);

        JsonNode first = user.get("/api/v1/agents?q=" + token + "&limit=2").json();
        assertThat(first.get("items")).hasSize(2);
        JsonNode second = user.get("/api/v1/agents?q=" + token + "&limit=2&cursor=" + first.get("nextCursor").stringValue())
                .json();
        assertThat(second.get("items")).hasSize(1);
        assertThat(second.get("nextCursor").isNull()).isTrue();
        List<String> newestFirst = new ArrayList<>();
        first.get("items").forEach(a -> newestFirst.add(a.get("id").stringValue()));
        newestFirst.add(second.get("items").get(0).get("id").stringValue());
        assertThat(newestFirst).containsExactly(ids.get(0), ids.get(2), ids.get(1));

        assertThat(user.get("/api/v1/agents?q=" + token + "&sort=updatedAt").json().get("items"))
                .extracting(a -> a.get("id").stringValue()).containsExactly(ids.get(1), ids.get(2), ids.get(0));
        assertThat(user.get("/api/v1/agents?q=" + token + "&status=paused").json().get("items"))
                .extracting(a -> a.get("id").stringValue()).containsExactly(ids.get(0));
        assertThat(user.get("/api/v1/agents?q=" + token + "&updatedSince=" + before).json().get("items")).hasSize(3);
        assertThat(user.get("/api/v1/agents?q=" + token + "&updatedSince=" + Instant.now().plusSeconds(60))
                .json().get("items")).isEmpty();
    }

    @Test
    void aCachedFirstListPageIsServedAsIsUntilAWriteTheGatewayAnsweredChangesIt() {
        String token = "fp" + shortId();
        String id = createAgent(token + "-a", "First page " + token);
        String list = "/api/v1/agents?q=" + token;
        Api.Response computed = user.get(list);
        double hitsBefore = meters.counter("factory.gateway.first-pages", "result", "hit").count();
        Api.Response cached = user.get(list);
        assertThat(meters.counter("factory.gateway.first-pages", "result", "hit").count() - hitsBefore).isEqualTo(1);
        assertThat(cached.body()).isEqualTo(computed.body());
        assertThat(cached.header("Content-Type")).isEqualTo(computed.header("Content-Type"));

        user.patch("/api/v1/agents/" + id, "{\"name\":\"Renamed " + token + "\"}", "Prefer", WAIT);
        JsonNode after = user.get(list).json().get("items").get(0);
        assertThat(after.get("name").stringValue()).isEqualTo("Renamed " + token);
        assertThat(after.get("version").asLong()).isEqualTo(2);
        String other = createAgent(token + "-b", "Second " + token);
        assertThat(user.get(list).json().get("items").get(0).get("id").stringValue()).isEqualTo(other);
        // A page after a cursor is not cached: it is written by the MVC converter, and looks the same.
        Api.Response second = user.get(list + "&limit=1&cursor="
                + user.get(list + "&limit=1").json().get("nextCursor").stringValue());
        assertThat(second.header("Content-Type")).isEqualTo(cached.header("Content-Type"));
        assertThat(second.json().get("items").get(0)).isEqualTo(user.get("/api/v1/agents/" + id).json());
        assertThat(user.get(list).json().get("items").get(1)).isEqualTo(user.get("/api/v1/agents/" + id).json());
        user.delete("/api/v1/agents/" + other, "Prefer", WAIT);
        assertThat(user.get(list).json().get("items")).extracting(a -> a.get("id").stringValue()).containsExactly(id);
    }

    @Test
    void hostileInputIsAnsweredWithCleanProblemDetails() {
        String id = createAgent("target-" + shortId(), "Target");
        List<Api.Response> bad = List.of(
                user.get("/api/v1/agents/not-a-uuid/versions"),
                user.get("/api/v1/agents/%27%3B%20DROP%20TABLE%20factory.agents%3B--"),
                user.get("/api/v1/agents?cursor=%27%20OR%201%3D1--"),
                user.get("/api/v1/agents?cursor=bm90LWEtY3Vyc29y"),
                user.get("/api/v1/agents?limit=100000"),
                user.get("/api/v1/agents?status=deleted%27--"),
                user.get("/api/v1/agents?updatedSince=yesterday"),
                user.get("/api/v1/agents/" + id + "/history?cursor=-1"),
                user.post("/api/v1/agents", "{\"slug\":\"x\",\"name\":"),
                user.post("/api/v1/agents", "[1,2,3]"),
                user.post("/api/v1/agents", "{\"slug\":\"Bad Slug!\",\"name\":\"n\",\"kind\":\"k\"}"),
                user.post("/api/v1/agents", "{\"slug\":\"ok\",\"name\":\"" + "n".repeat(201) + "\",\"kind\":\"k\"}"),
                user.post("/api/v1/agents", "{\"slug\":\"ok\",\"name\":\"n\",\"kind\":\"k\",\"admin\":true}"),
                user.patch("/api/v1/agents/" + id, "{\"name\":null}"),
                user.patch("/api/v1/agents/" + id, "{\"name\":\"x\"}", "If-Match", "1 OR 1=1"),
                user.post("/api/v1/agents", "{}", "Idempotency-Key", "k".repeat(300)),
                user.post("/api/v1/agents", "{\"slug\":\"ok\",\"name\":\"n\",\"kind\":\"k\"}", "If-Match", "\"1\""));
        for (Api.Response r : bad) {
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(r.toString()).startsWith("application/problem+json");
            assertThat(r.body()).as(r.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        Api.Response injection = user.get("/api/v1/agents?q=%27%20OR%20%271%27%3D%271");
        assertThat(injection.status()).isEqualTo(200);
        assertThat(injection.json().get("items")).isEmpty();
        Api.Response oversized = user.post("/api/v1/agents", "{\"slug\":\"big\",\"name\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(oversized.status()).isEqualTo(413);
        assertThat(user.get("/api/v1/agents/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(user.get("/api/v1/writes/" + UUID.randomUUID()).status()).isEqualTo(404);
        UUID unknown = UUID.randomUUID();
        assertThat(List.of("/api/v1/agents/" + unknown + "/versions", "/api/v1/agents/" + unknown + "/history",
                "/api/v1/agents/" + unknown + "/prds", "/api/v1/prds/" + unknown + "/versions",
                "/api/v1/prds/" + unknown + "/agents")).allSatisfy(path -> {
                    Api.Response r = user.get(path);
                    assertThat(r.status()).as(path).isEqualTo(404);
                    assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
                });
        assertThat(user.get("/api/v1/agents/" + id + "/history").status()).as("a known agent's, empty").isEqualTo(200);
    }

    @Test
    void readsAreServedFromTheCacheAfterTheFirstAndCounted() {
        String id = createAgent("cached-" + shortId(), "Cached");
        double hitsBefore = meters.counter("factory.gateway.cache", "result", "hit").count();
        for (int i = 0; i < 3; i++) {
            assertThat(user.get("/api/v1/agents/" + id).status()).isEqualTo(200);
        }
        assertThat(meters.counter("factory.gateway.cache", "result", "hit").count() - hitsBefore).isEqualTo(3);
        assertThat(meters.get("factory.gateway.write.wait").timer().count()).isPositive();
        // Waits are answered by the results topic; the database poll is only the fallback.
        assertThat(meters.counter("factory.gateway.write.outcomes", "source", "topic").count()).isPositive();
        assertThat(user.get("/v3/api-docs").json().get("paths").has("/api/v1/agents/{idOrSlug}")).isTrue();
        // and the same meters are what operators scrape, with a service_role token (a user's is refused)
        assertThat(user.get("/actuator/prometheus").status()).isEqualTo(403);
        List<String> scraped = service.get("/actuator/prometheus").body().lines().toList();
        assertThat(scraped).anyMatch(l -> l.startsWith("factory_gateway_cache_total{") && l.contains("result=\"hit\""));
        assertThat(scraped).anyMatch(l -> l.startsWith("factory_gateway_cache_total{") && l.contains("result=\"miss\""));
        assertThat(scraped).anyMatch(l -> l.startsWith("factory_gateway_write_wait_seconds_count{"));
    }

    private String createAgent(String slug, String name) {
        Api.Response r = user.post("/api/v1/agents",
                "{\"slug\":\"%s\",\"name\":\"%s\",\"kind\":\"worker\"}".formatted(slug, name), "Prefer", WAIT);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").stringValue();
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
