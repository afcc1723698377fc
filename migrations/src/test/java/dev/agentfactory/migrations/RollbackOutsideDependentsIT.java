package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * U1's {@code DROP SCHEMA factory CASCADE} would also drop what others built on the schema outside it (on Supabase,
 * a view in {@code public} over {@code factory.agents}), so {@code db rollback} refuses while any such object
 * exists, names it, and changes nothing.
 */
@ExtendWith(LocalStackExtension.class)
class RollbackOutsideDependentsIT {

    private static final String DATABASE = "it_mig_rollback_outside_deps";
    private StackEndpoints endpoints;
    private Migrations migrations;
    private Map<String, String> env;

    @BeforeEach
    void migrated(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        migrations = TestDatabases.fresh(stack, e, DATABASE);
        migrations.migrate();
        env = new HashMap<>(System.getenv());
        env.put("FACTORY_DB_URL", endpoints.primaryJdbcUrl(DATABASE));
    }

    @AfterEach
    void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void aViewInPublicOverFactoryAgentsKeepsTheRollbackFromDroppingAnything() throws Exception {
        sql("CREATE VIEW public.agent_names AS SELECT slug, name FROM factory.agents");
        var at = migrations.currentVersion();
        CatalogFingerprint before = migrations.fingerprint();

        DbRun refused = DbRun.of(env, "rollback", "--to", "0");
        DbRun refusedWithDropData = DbRun.of(env, "rollback", "--to", "0", "--drop-data");

        assertThat(refused.code()).as(refused.out()).isEqualTo(1);
        assertThat(refused.err()).contains("U1__factory_schema.sql")
                .contains("view public.agent_names (on table factory.agents)")
                .contains("nothing was rolled back").contains("Drop them");
        assertThat(refusedWithDropData.code()).as("--drop-data is about our rows, not others' objects").isEqualTo(1);
        assertThat(refusedWithDropData.err()).contains("view public.agent_names");
        assertThat(migrations.currentVersion()).isEqualTo(at);
        assertThat(before.differences(migrations.fingerprint())).isEmpty();
        assertThat(count("SELECT count(*) FROM public.agent_names")).isZero();

        sql("DROP VIEW public.agent_names");
        DbRun rolledBack = DbRun.of(env, "rollback", "--to", "0");

        assertThat(rolledBack.code()).as(rolledBack.err()).isZero();
        assertThat(migrations.currentVersion()).isNull();
        assertThat(count("SELECT count(*) FROM pg_namespace WHERE nspname = 'factory'")).isZero();
    }

    @Test
    void everyKindOfObjectOutsideTheSchemaIsNamed() throws Exception {
        sql("CREATE FUNCTION public.agent_label(a factory.agents) RETURNS text LANGUAGE sql AS 'SELECT $1.slug'");
        sql("CREATE TABLE public.notes (agent_id uuid REFERENCES factory.agents (id),"
                + " allowed boolean DEFAULT factory.prd_status_transition_allowed('draft', 'review'))");
        sql("ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY");
        sql("CREATE POLICY notes_of_agents ON public.notes USING (agent_id IN (SELECT id FROM factory.agents))");
        sql("CREATE MATERIALIZED VIEW public.prd_count AS SELECT count(*) FROM factory.prds");

        assertThatThrownBy(() -> migrations.rollbackTo("0", true)).isInstanceOf(MigrationException.class)
                .hasMessageContaining("function public.agent_label(factory.agents) (on type factory.agents)")
                .hasMessageContaining("table constraint notes_agent_id_fkey on public.notes (on")
                .hasMessageContaining("default value for public.notes.allowed (on function"
                        + " factory.prd_status_transition_allowed(pg_catalog.text,pg_catalog.text))")
                .hasMessageContaining("policy notes_of_agents on public.notes (on table factory.agents)")
                .hasMessageContaining("materialized view public.prd_count (on table factory.prds)");
        assertThat(count("SELECT count(*) FROM pg_constraint WHERE conname = 'notes_agent_id_fkey'")).isEqualTo(1);
    }

    /**
     * A view committed while the rollback runs is not in the first check's snapshot. The rollback looks again right
     * before U1 with the schema's tables locked, so it waits for the view's transaction to end and then sees the view,
     * where the drop alone would have waited for the same lock and dropped the view with the schema.
     */
    @Test
    void aViewCommittedWhileTheRollbackRunsIsSeenBeforeTheSchemaIsDropped() throws Exception {
        migrations.rollbackTo("1");
        CompletableFuture<List<String>> rollback;
        try (Connection user = TestDatabases.holding(endpoints, DATABASE,
                "CREATE VIEW public.agent_names AS SELECT slug, name FROM factory.agents")) {
            rollback = TestDatabases.startBlocked(endpoints, DATABASE, migrations.settings().user(),
                    () -> migrations.rollbackTo("0"));
            user.commit();
        }

        assertThatThrownBy(() -> rollback.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MigrationException.class)
                .hasMessageContaining("view public.agent_names (on table factory.agents)");
        assertThat(migrations.currentVersion()).isEqualTo(MigrationVersion.fromVersion("1"));
        assertThat(count("SELECT count(*) FROM public.agent_names")).isZero();
    }

    private void sql(String statement) throws Exception {
        try (Connection c = TestDatabases.superuser(endpoints, DATABASE); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private long count(String query) {
        return TestDatabases.count(endpoints, DATABASE, query);
    }
}
