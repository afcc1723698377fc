package dev.agentfactory.store.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.ListFilter;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.Store;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.TransientRetry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lists of any status on a table whose only list index is {@code (status, updated_at, id)}: the plans of the
 * union {@link AgentSql#LIST} builds (custom and generic) read that index per status and never the whole table,
 * and the pages add up to exactly what one {@code ORDER BY} over all live rows returns.
 */
@ExtendWith(LocalStackExtension.class)
class AgentListPlanIT {

    static final String DATABASE = "it_store_list_plan";
    static final String STATUS_INDEX = "agents_live_status_updated_idx";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    // 20,000 agents over every status, every tenth deleted, four per updated_at so ties cross the branches.
    static final String FILL = """
            INSERT INTO factory.agents (id, slug, name, kind, status, version, created_at, created_by,
                                        updated_at, updated_by, deleted_at)
            SELECT gen_random_uuid(), 'agent-' || g, 'Agent ' || g, 'plan', s[1 + g % cardinality(s)], 1,
                   t0, 'it', t0 + (g / 4) * interval '1 second', 'it', CASE WHEN g % 10 = 0 THEN t0 END
            FROM generate_series(1, 20000) g, CAST(:statuses AS text[]) s, CAST(:t0 AS timestamptz) t0""";
    static final String LIVE_ORDER = """
            SELECT id FROM factory.agents WHERE deleted_at IS NULL AND updated_at >= :since AND name ILIKE :text
            ORDER BY updated_at %1$s, id %1$s""";
    private static final Pattern NAMED = Pattern.compile("(?<!:):([a-zA-Z]+)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static HikariDataSource dataSource;
    private static JdbcClient jdbc;
    private static AgentRepository agents;
    private static Cursor midway;

    @BeforeAll
    static void twentyThousandAgents(StackEndpoints endpoints, LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
        stack.primary().createDatabase(DATABASE);
        String url = endpoints.primaryJdbcUrl(DATABASE);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(url);
        dataSource.setUsername(endpoints.superuser());
        dataSource.setPassword(endpoints.superuserPassword());
        dataSource.setMaximumPoolSize(2);
        jdbc = JdbcClient.create(dataSource);
        String[] statuses = Arrays.stream(AgentStatus.values()).map(AgentStatus::dbValue).toArray(String[]::new);
        jdbc.sql(FILL).param("statuses", statuses).param("t0", T0.toString()).update();
        jdbc.sql("ANALYZE factory.agents").update();
        agents = Store.jdbc(dataSource, TransientRetry.defaults()).agents();
        midway = jdbc.sql("SELECT updated_at, id FROM factory.agents WHERE deleted_at IS NULL"
                        + " ORDER BY updated_at DESC, id DESC OFFSET 9000 LIMIT 1")
                .query((rs, n) -> new Cursor(rs.getObject(1, OffsetDateTime.class).toInstant(),
                        rs.getString(2))).single();
    }

    @AfterAll
    static void close(LocalStack stack) {
        dataSource.close();
        stack.primary().dropDatabase(DATABASE);
    }

    static Stream<Arguments> pages() {
        ListFilter sinceAndText = new ListFilter(T0.plusSeconds(1000), "7", false);
        ListFilter oldestFirst = new ListFilter(T0.plusSeconds(1000), null, true);
        return Stream.of("force_custom_plan", "force_generic_plan").flatMap(mode -> Stream.of(
                Arguments.of("first page", ListFilter.NONE, false, mode),
                Arguments.of("page after a cursor", ListFilter.NONE, true, mode),
                Arguments.of("since and text", sinceAndText, false, mode),
                Arguments.of("since and text after a cursor", sinceAndText, true, mode),
                Arguments.of("oldest first after a cursor", oldestFirst, true, mode)));
    }

    @ParameterizedTest(name = "{0}, {3}")
    @MethodSource("pages")
    void aListOfAnyStatusMergesOneScanOfTheStatusIndexPerStatus(String page, ListFilter filter, boolean afterCursor,
                                                                 String planMode) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        collect(explain(AgentSql.LIST.sql(false, filter, afterCursor), values(filter, afterCursor), planMode), nodes);

        assertThat(nodes).extracting(n -> n.path("Node Type").asString())
                .contains("Merge Append").doesNotContain("Seq Scan", "Sort", "Bitmap Heap Scan");
        List<JsonNode> scans = nodes.stream().filter(n -> "agents".equals(n.path("Relation Name").asString(null)))
                .toList();
        assertThat(scans).hasSize(AgentStatus.values().length).allSatisfy(scan -> {
            assertThat(scan.path("Node Type").asString()).isIn("Index Scan", "Index Only Scan");
            assertThat(scan.path("Index Name").asString()).isEqualTo(STATUS_INDEX);
        });
    }

    @Test
    void pagesOfAnyStatusAddUpToOneOrderByOverAllLiveRows() {
        assertThat(allPages(ListFilter.NONE, 500)).containsExactlyElementsOf(liveOrder(ListFilter.NONE));
    }

    @Test
    void filteredPagesOfAnyStatusAddUpToOneOrderByOverTheMatchingLiveRows() {
        ListFilter sinceAndText = new ListFilter(T0.plusSeconds(1000), "7", false);
        ListFilter oldestFirst = new ListFilter(T0.plusSeconds(3000), null, true);
        assertThat(liveOrder(sinceAndText)).hasSizeGreaterThan(1000);
        assertThat(allPages(sinceAndText, 100)).containsExactlyElementsOf(liveOrder(sinceAndText));
        assertThat(allPages(oldestFirst, 250)).containsExactlyElementsOf(liveOrder(oldestFirst));
    }

    private static List<UUID> allPages(ListFilter filter, int limit) {
        List<UUID> ids = new ArrayList<>();
        String cursor = null;
        do {
            Page<Agent> page = agents.list(null, filter, cursor, limit);
            page.items().forEach(a -> ids.add(a.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        return ids;
    }

    private static List<UUID> liveOrder(ListFilter filter) {
        return jdbc.sql(String.format(LIVE_ORDER, filter.ascending() ? "ASC" : "DESC"))
                .param("since", StoreJson.timestamp(filter.updatedSince() == null ? Instant.EPOCH : filter.updatedSince()))
                .param("text", filter.text() == null ? "%" : filter.likePattern())
                .query(UUID.class).list();
    }

    /** The statement's bind values as SQL text, by parameter name, for EXECUTE. */
    private static Map<String, String> values(ListFilter filter, boolean afterCursor) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("limit", "51");
        if (filter.updatedSince() != null) {
            values.put("since", filter.updatedSince().toString());
        }
        if (filter.text() != null) {
            values.put("text", filter.likePattern());
        }
        if (afterCursor) {
            values.put("at", midway.at().toString());
            values.put("id", midway.key());
        }
        return values;
    }

    /** EXPLAIN of the statement prepared with $n parameters, so the plan cache mode decides the plan kind. */
    private static JsonNode explain(String sql, Map<String, String> values, String planMode) throws Exception {
        List<String> order = new ArrayList<>();
        Matcher named = NAMED.matcher(sql);
        String positional = named.replaceAll(m -> {
            int at = order.indexOf(m.group(1));
            if (at < 0) {
                order.add(m.group(1));
                at = order.size() - 1;
            }
            return "\\$" + (at + 1);
        });
        assertThat(order).containsExactlyInAnyOrderElementsOf(values.keySet());
        String arguments = String.join(", ", order.stream().map(p -> "'" + values.get(p).replace("'", "''") + "'")
                .toList());
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET plan_cache_mode = " + planMode);
            st.execute("PREPARE list_page AS " + positional);
            try (ResultSet rs = st.executeQuery("EXPLAIN (FORMAT JSON) EXECUTE list_page(" + arguments + ")")) {
                rs.next();
                return JSON.readTree(rs.getString(1)).get(0).get("Plan");
            } finally {
                st.execute("DEALLOCATE list_page");
                st.execute("RESET plan_cache_mode");
            }
        }
    }

    private static void collect(JsonNode plan, List<JsonNode> into) {
        into.add(plan);
        plan.path("Plans").forEach(child -> collect(child, into));
    }
}
