package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** Undoing V1 drops the factory schema: with agents in it, only an explicit {@code --drop-data} does that. */
@ExtendWith(LocalStackExtension.class)
class RollbackToEmptyIT {

    private static final String DATABASE = "it_mig_rollback_empty";
    private static StackEndpoints endpoints;
    private static Migrations migrations;
    private static Map<String, String> env;

    @BeforeAll
    static void migratedWithAnAgent(StackEndpoints e, LocalStack stack) throws Exception {
        endpoints = e;
        migrations = TestDatabases.fresh(stack, e, DATABASE);
        migrations.migrate();
        env = new HashMap<>(System.getenv());
        env.put("FACTORY_DB_URL", e.primaryJdbcUrl(DATABASE));
        try (Connection c = TestDatabases.superuser(e, DATABASE); Statement st = c.createStatement()) {
            st.execute("INSERT INTO factory.agents (id, slug, name, kind, version, created_at, created_by, updated_at, "
                    + "updated_by) VALUES (gen_random_uuid(), 'kept', 'Kept', 'coder', 1, now(), 'it', now(), 'it')");
        }
    }

    @AfterAll
    static void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void aRollbackToEmptyKeepsASchemaWithDataUnlessToldToDropIt() {
        var at = migrations.currentVersion();

        DbRun refused = DbRun.of(env, "rollback", "--to", "0");

        assertThat(refused.code()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err()).contains("holds agents, PRDs or audit rows").contains("--drop-data")
                .contains("nothing was rolled back");
        assertThat(migrations.currentVersion()).isEqualTo(at);
        assertThat(TestDatabases.count(endpoints, DATABASE, "SELECT count(*) FROM factory.agents")).isEqualTo(1);

        DbRun dropped = DbRun.of(env, "rollback", "--to", "0", "--drop-data");

        assertThat(dropped.code()).as(dropped.err()).isZero();
        assertThat(migrations.currentVersion()).isNull();
        assertThat(TestDatabases.count(endpoints, DATABASE,
                "SELECT count(*) FROM pg_namespace WHERE nspname = 'factory'")).isZero();
    }
}
