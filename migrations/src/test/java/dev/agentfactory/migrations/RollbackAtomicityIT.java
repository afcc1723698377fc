package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/** {@code db rollback --to V} ends at V or where it started, never in between. */
@ExtendWith(LocalStackExtension.class)
class RollbackAtomicityIT {

    private static final String DATABASE = "it_mig_rollback_atomic";
    private static StackEndpoints endpoints;
    private static Migrations migrations;

    @BeforeAll
    static void migrated(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        migrations = TestDatabases.fresh(stack, e, DATABASE);
        migrations.migrate();
    }

    @AfterAll
    static void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void aRollbackWhoseLaterScriptFailsUndoesNothing() throws Exception {
        // A version row without its agent, as the standby's replica-mode apply could leave: U4_3 cannot re-add
        // the foreign key, after U4_4 (newer, so run first) has succeeded.
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            st.execute("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id) "
                    + "VALUES ('" + UUID.randomUUID() + "', 1, 'create', '{}', 'it', gen_random_uuid())");
        }
        var before = migrations.currentVersion();
        CatalogFingerprint catalog = migrations.fingerprint();
        int rollbacks = migrations.rollbackHistory().size();

        assertThatThrownBy(() -> migrations.rollbackTo("4.2"))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("U4_3__statement_level_references.sql failed")
                .hasMessageContaining("nothing was rolled back").hasMessageContaining("V" + before);

        assertThat(migrations.currentVersion()).isEqualTo(before);
        assertThat(catalog.differences(migrations.fingerprint())).isEmpty();
        assertThat(migrations.rollbackHistory()).hasSize(rollbacks);
    }

    @Test
    void aRollbackWaitsForAMigratorHoldingFlywaysLock() throws Exception {
        CompletableFuture<List<String>> rollback;
        try (Connection migrator = connect(); Statement st = migrator.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + Rollbacks.FLYWAY_LOCK_KEY + ")");
            rollback = CompletableFuture.supplyAsync(() -> migrations.rollbackTo("4.3"));
            Poll.until(Duration.ofSeconds(10), "the rollback waiting for Flyway's lock",
                    () -> rollback.isDone() || waitingForAnAdvisoryLock() > 0);
            assertThat(rollback).as("a rollback while a migrator holds Flyway's lock").isNotDone();
            st.execute("SELECT pg_advisory_unlock(" + Rollbacks.FLYWAY_LOCK_KEY + ")");
        }
        assertThat(rollback.get(30, TimeUnit.SECONDS)).containsExactly(
                "U4_6__replica_apply_skips_status_rule.sql", "U4_5__standby_purges.sql", "U4_4__one_live_list_index.sql");
        migrations.migrate();
    }

    private static long waitingForAnAdvisoryLock() {
        return TestDatabases.count(endpoints, DATABASE, "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                + DATABASE + "' AND wait_event_type = 'Lock' AND wait_event = 'advisory'");
    }

    private static Connection connect() throws SQLException {
        return TestDatabases.superuser(endpoints, DATABASE);
    }
}
