package dev.agentfactory.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.Change;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.Store;
import dev.agentfactory.store.TransientRetry;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;

/**
 * {@code GET /agents/{id}/prds} is paged like every other list: an agent linked from more PRDs than the largest page
 * (200) is answered a page at a time, {@code {items, nextCursor}} as versions and history are, where the whole list
 * was built for every request.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AgentPrdLinksIT {

    static final String SECRET = "test-secret-for-the-gateway-agent-links-suite-0123456789";
    static final String DB = "it_gateway_agent_links";
    static final int LINKS = 230;
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    static final UUID agent = UUID.randomUUID();
    static final List<UUID> linked = new ArrayList<>();

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final JsonMapper json = JsonMapper.builder().build();

    /** The PRDs and links in two statements: through the store, one transaction each, they took most of a minute. */
    static final String PRDS = """
            INSERT INTO factory.prds (id, slug, title, version, created_at, created_by, updated_at, updated_by)
            SELECT gen_random_uuid(), 'wants-' || i, 'Wants ' || i, 1, now(), 'it', now(), 'it'
            FROM generate_series(1, :count) i""";
    static final String LINK_ALL = """
            INSERT INTO factory.prd_agents (prd_id, agent_id, role, linked_at, linked_by)
            SELECT id, :agent, 'implementer', now(), 'it' FROM factory.prds""";

    @BeforeAll
    static void anAgentLinkedFromMorePrdsThanAPage() {
        GatewayTestStack.freshMigratedDatabase(DB);
        MigrationSettings roles = MigrationSettings.fromEnvironment(System.getenv());
        try (HikariDataSource writer = new HikariDataSource()) {
            writer.setJdbcUrl(LocalStackExtension.ensure().primaryJdbcUrl(DB));
            writer.setUsername("factory_writer");
            writer.setPassword(roles.writerPassword());
            Store.jdbc(writer, TransientRetry.defaults()).agents().create(new Agent(agent, "in-demand", "In demand",
                    "builder", AgentStatus.ACTIVE, Map.of(), Map.of(), Map.of(), 1, T0, "it", T0, "it", null),
                    new Change("create", "agent.create", "it", UUID.randomUUID(), T0));
            JdbcClient sql = JdbcClient.create(writer);
            sql.sql(PRDS).param("count", LINKS).update();
            assertThat(sql.sql(LINK_ALL).param("agent", agent).update()).isEqualTo(LINKS);
            linked.addAll(sql.sql("SELECT id FROM factory.prds").query(UUID.class).list());
        }
        linked.sort(Cursor.PG_UUID_ORDER);
    }

    @AfterAll
    static void forget() {
        linked.clear();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestStack.connectApart(registry, DB, SECRET, "it-agent-links");
    }

    @Test
    void theLinksComeInPagesOfAtMostTheLimitInPrdIdOrderWithoutGapsOrRepeats() throws Exception {
        JsonNode first = page("");
        assertThat(first.get("items")).as("the default page size").hasSize(50);
        assertThat(first.get("nextCursor").isString()).isTrue();

        List<UUID> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = page("?limit=200" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("items").forEach(l -> {
                assertThat(l.get("agentId").stringValue()).isEqualTo(agent.toString());
                seen.add(UUID.fromString(l.get("prdId").stringValue()));
            });
            sizes.add(page.get("items").size());
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").stringValue();
        } while (cursor != null);
        assertThat(sizes).containsExactly(200, LINKS - 200);
        assertThat(seen).isEqualTo(linked);
    }

    @Test
    void aLimitAboveTheLargestPageOrAForeignCursorIsABadRequest() throws Exception {
        HttpResponse<String> tooMany = get("/api/v1/agents/" + agent + "/prds?limit=201");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("bad-limit");
        HttpResponse<String> badCursor = get("/api/v1/agents/" + agent + "/prds?cursor=not-a-cursor");
        assertThat(badCursor.statusCode()).isEqualTo(400);
        assertThat(badCursor.body()).contains("bad-cursor");
        assertThat(get("/api/v1/agents/" + UUID.randomUUID() + "/prds?limit=10").statusCode()).isEqualTo(404);
    }

    @Test
    void theApiDocumentDescribesThePageAndItsParameters() throws Exception {
        JsonNode doc = json.readTree(get("/v3/api-docs").body());
        JsonNode op = doc.get("paths").get("/api/v1/agents/{id}/prds").get("get");
        List<String> parameters = new ArrayList<>();
        op.get("parameters").forEach(p -> parameters.add(p.get("name").stringValue()));
        assertThat(parameters).contains("cursor", "limit");
        assertThat(op.get("responses").get("200").toString()).contains("#/components/schemas/PagePrdAgentLink");
        assertThat(doc.get("components").get("schemas").get("PagePrdAgentLink").get("properties").propertyNames())
                .contains("items", "nextCursor");
    }

    private JsonNode page(String query) throws Exception {
        HttpResponse<String> res = get("/api/v1/agents/" + agent + "/prds" + query);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return json.readTree(res.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + GatewayTestStack.token(SECRET, "authenticated", "it-links"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
