package dev.agentfactory.store.prd;

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
import dev.agentfactory.store.TransientRetry;

/**
 * The PRD side of V4_4 (four statuses where agents have three): lists of any status read the status index once
 * per status under both plan kinds, and their pages add up to one {@code ORDER BY} over all live PRDs.
 */
@ExtendWith(LocalStackExtension.class)
class PrdListPlanIT {

    static final String DATABASE = "it_store_prd_list_plan";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    // 20,000 PRDs over every status, every tenth deleted, four per updated_at so ties cross the branches.
    static final String FILL = """
            INSERT INTO factory.prds (id, slug, title, status, version, created_at, created_by, updated_at,
                                      updated_by, deleted_at)
            SELECT gen_random_uuid(), 'prd-' || g, 'PRD ' || g, s[1 + g % cardinality(s)], 1, t0, 'it',
                   t0 + (g / 4) * interval '1 second', 'it', CASE WHEN g % 10 = 0 THEN t0 END
            FROM generate_series(1, 20000) g, CAST(:statuses AS text[]) s, CAST(:t0 AS timestamptz) t0""";
    static final String LIVE_ORDER =
            "SELECT id FROM factory.prds WHERE deleted_at IS NULL ORDER BY updated_at DESC, id DESC";

    private static MigratedDatabase database;
    private static HikariDataSource dataSource;
    private static JdbcClient jdbc;
    private static PrdRepository prds;
    private static Cursor midway;

    @BeforeAll
    static void twentyThousandPrds(StackEndpoints endpoints, LocalStack stack) {
        database = MigratedDatabase.create(stack, endpoints, DATABASE, 2);
        dataSource = database.dataSource();
        jdbc = JdbcClient.create(dataSource);
        String[] statuses = Arrays.stream(PrdStatus.values()).map(PrdStatus::dbValue).toArray(String[]::new);
        jdbc.sql(FILL).param("statuses", statuses).param("t0", T0.toString()).update();
        jdbc.sql("ANALYZE factory.prds").update();
        prds = Store.jdbc(dataSource, TransientRetry.defaults()).prds();
        midway = jdbc.sql(LIVE_ORDER.replace("SELECT id", "SELECT updated_at, id") + " OFFSET 9000 LIMIT 1")
                .query((rs, n) -> new Cursor(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2)))
                .single();
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
        var plan = ListPlans.explain(dataSource, PrdSql.LIST.sql(false, filter, afterCursor),
                ListPlans.values(filter, afterCursor ? midway : null), planMode);
        ListPlans.assertOneIndexScanPerStatus(plan, "prds", "prds_live_status_updated_idx", PrdStatus.values().length);
    }

    @Test
    void pagesOfAnyStatusAddUpToOneOrderByOverAllLivePrds() {
        List<UUID> ids = new ArrayList<>();
        String cursor = null;
        do {
            Page<Prd> page = prds.list(null, ListFilter.NONE, cursor, 500);
            page.items().forEach(p -> ids.add(p.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(ids).hasSize(18_000).containsExactlyElementsOf(jdbc.sql(LIVE_ORDER).query(UUID.class).list());
    }
}
