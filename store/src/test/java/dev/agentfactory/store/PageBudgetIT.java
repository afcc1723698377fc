package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.agent.AgentVersion;
import dev.agentfactory.store.audit.AuditEntry;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Pages of large rows end at the byte budget, never empty, and their cursors still lead through every row once, in
 * order: a list of large agents, an agent's large versions, an entity's large audit entries, and a single row larger
 * than the whole budget.
 */
@ExtendWith(LocalStackExtension.class)
class PageBudgetIT {

    static final int BUDGET = 100_000;
    static final String BLOB = "x".repeat(30_000);
    private static MigratedDatabase database;
    private static HikariDataSource dataSource;
    private static Store store;

    @BeforeAll
    static void migratedDatabase(StackEndpoints endpoints, LocalStack stack) {
        database = MigratedDatabase.create(stack, endpoints, "it_store_page_budget", 2);
        dataSource = database.dataSource();
        store = Store.jdbc(dataSource, new DataSourceTransactionManager(dataSource), TransientRetry.defaults(), BUDGET);
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @BeforeEach
    void empty() throws Exception {
        try (var c = dataSource.getConnection(); var st = c.createStatement()) {
            st.execute("TRUNCATE factory.prd_agents, factory.agent_history, factory.agent_versions, factory.agents, factory.audit_log");
        }
    }

    @Test
    void aListOfLargeEntitiesComesInPagesWithinTheBudgetAndEveryOneOnce() {
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Agent a = new Agent(UUID.randomUUID(), "large-" + i, "large " + i, "k", AgentStatus.ACTIVE,
                    Map.of("blob", BLOB), Map.of(), Map.of(), 1, StoreContract.T0.plusSeconds(i), "seed",
                    StoreContract.T0.plusSeconds(i), "seed", null);
            assertThat(store.agents().create(a, StoreContract.change("create")).applied()).isTrue();
            created.add(a.id());
        }
        List<List<UUID>> pages = all(c -> store.agents().list(AgentStatus.ACTIVE, c, 50), Agent::id);
        // 30,000 characters each: the page that reaches 100,000 ends after its fourth row
        assertThat(pages.get(0)).hasSize(4);
        assertThat(pages.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(created)
                .doesNotHaveDuplicates();
    }

    @Test
    void anAgentsLargeVersionsComeInPagesInOrderAndARowLargerThanTheBudgetComesAlone() {
        Agent v1 = StoreContract.agent("versions", 1, StoreContract.T0);
        store.agents().create(v1, StoreContract.change("create"));
        for (long v = 2; v <= 10; v++) {
            String state = v == 10 ? "y".repeat(3 * BUDGET) : BLOB + v;
            store.agents().update(new Agent(v1.id(), v1.slug(), v1.name(), v1.kind(), v1.status(), v1.config(),
                    Map.of("s", state), v1.metadata(), v, v1.createdAt(), "seed", StoreContract.T0.plusSeconds(v),
                    "editor", null), StoreContract.change("update"));
        }
        List<List<Long>> pages = all(c -> store.agents().versions(v1.id(), c, 200), AgentVersion::version);
        assertThat(pages.get(0)).as("the newest version, over the whole budget, alone").containsExactly(10L);
        assertThat(pages.get(1)).hasSize(4);
        assertThat(pages.stream().flatMap(List::stream).toList())
                .containsExactly(10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
    }

    @Test
    void anEntitysLargeAuditEntriesComeInPagesAndEveryOneOnceThoseWithoutDetailsIncluded() throws Exception {
        UUID entity = UUID.randomUUID();
        audit(entity, 7, "CASE WHEN ? = 3 THEN NULL ELSE jsonb_build_object('blob', '" + BLOB + "') END");
        List<List<Long>> pages = all(c -> store.audit().byEntity("agent", entity, Instant.EPOCH,
                Instant.now().plusSeconds(60), c, 100), AuditEntry::version);
        // 30,000 bytes each but the third, which has none: the page reaches 100,000 at its fifth row
        assertThat(pages.get(0)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(pages.stream().flatMap(List::stream).toList()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void aValueStoredSmallButPrintedLargeCountsAtItsPrintedSize() throws Exception {
        // 80 numbers of a thousand digits: about 1,500 bytes stored, 80,000 as the text the page carries
        UUID entity = UUID.randomUUID();
        audit(entity, 5, "(SELECT jsonb_object_agg('k' || g, 1e999::numeric) FROM generate_series(1, 80) g "
                + "WHERE ? IS NOT NULL)");
        List<List<Long>> pages = all(c -> store.audit().byEntity("agent", entity, Instant.EPOCH,
                Instant.now().plusSeconds(60), c, 100), AuditEntry::version);
        assertThat(pages.get(0)).containsExactly(1L, 2L);
        assertThat(pages.stream().flatMap(List::stream).toList()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    /** Audit entries 1..n of {@code entity}, each with the details {@code detailsSql} makes of its version. */
    private static void audit(UUID entity, int n, String detailsSql) throws Exception {
        try (var c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO "
                + "factory.audit_log (entity_type, entity_id, version, command_type, actor, event_id, occurred_at, "
                + "details) VALUES ('agent', ?, ?, 'agent.update', 'it', ?, now(), " + detailsSql + ")")) {
            for (int v = 1; v <= n; v++) {
                ps.setObject(1, entity);
                ps.setLong(2, v);
                ps.setObject(3, UUID.randomUUID());
                ps.setInt(4, v);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Every page, following the cursors, each as the keys of its items. */
    private static <T, K> List<List<K>> all(Function<String, Page<T>> page, Function<T, K> key) {
        List<List<K>> pages = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        String cursor = null;
        do {
            Page<T> p = page.apply(cursor);
            assertThat(p.items()).as("a page is never empty").isNotEmpty();
            pages.add(p.items().stream().map(key).toList());
            cursor = p.nextCursor();
            assertThat(cursor == null || seen.put(cursor, true) == null).as("cursors move on").isTrue();
        } while (cursor != null);
        return pages;
    }
}
