package dev.agentfactory.store.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
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

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.Cursor;
import dev.agentfactory.store.ListFilter;
import dev.agentfactory.store.ListPlans;
import dev.agentfactory.store.MigratedDatabase;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.Store;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.TransientRetry;
import tools.jackson.databind.JsonNode;

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

    private static MigratedDatabase database;
    private static HikariDataSource dataSource;
    private static JdbcClient jdbc;
    private static AgentRepository agents;
    private static Cursor midway;

    @BeforeAll
    static void twentyThousandAgents(StackEndpoints endpoints, LocalStack stack) {
        database = MigratedDatabase.create(stack, endpoints, DATABASE, 2);
        dataSource = database.dataSource();
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
    static void close() {
        database.close();
    }

    static Stream<Arguments> pages() {
        return ListPlans.pages(new ListFilter(T0.plusSeconds(1000), "7", false),
                new ListFilter(T0.plusSeconds(1000), null, true));
    }

    @ParameterizedTest(name = "{0}, {3}")
    @MethodSource("pages")
    void aListOfAnyStatusMergesOneScanOfTheStatusIndexPerStatus(String page, ListFilter filter, boolean afterCursor,
                                                                 String planMode) throws Exception {
        JsonNode plan = ListPlans.explain(dataSource, AgentSql.LIST.sql(false, filter, afterCursor),
                ListPlans.values(filter, afterCursor ? midway : null), planMode);
        ListPlans.assertOneIndexScanPerStatus(plan, "agents", STATUS_INDEX, AgentStatus.values().length);
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
                .param("since", StoreJson.timestamp(
                        filter.updatedSince() == null ? Instant.EPOCH : filter.updatedSince()))
                .param("text", filter.text() == null ? "%" : filter.likePattern())
                .query(UUID.class).list();
    }
}
