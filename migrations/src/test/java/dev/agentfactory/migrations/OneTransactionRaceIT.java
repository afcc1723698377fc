package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * A restore's step must run where the schema is at its version. OneTransaction plans from the history it read
 * before Flyway took its lock; another migrator (a second Cloud Run job execution) may apply migrations in
 * between, and the step must then be refused, not skipped or run at another version.
 */
@ExtendWith(LocalStackExtension.class)
class OneTransactionRaceIT {

    private static final String DATABASE = "it_mig_one_tx_race";
    private static final long FLYWAY_LOCK = Rollbacks.FLYWAY_LOCK_KEY;
    private static StackEndpoints endpoints;
    private static Migrations migrations;

    @BeforeAll
    static void migrated(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        migrations = TestDatabases.fresh(stack, e, DATABASE);
        migrations.migrateTo("4.3");
    }

    @AfterAll
    static void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void aStepWhoseVersionAnotherMigratorAppliedMeanwhileIsRefusedNotSkipped() throws Exception {
        MigrationInfo v44 = migrations.info().stream().filter(m -> "V4_4__one_live_list_index.sql".equals(m.getScript()))
                .findFirst().orElseThrow();
        AtomicBoolean stepRan = new AtomicBoolean();
        CompletableFuture<Integer> restore;
        try (Connection other = connect(); Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + FLYWAY_LOCK + ")");
            restore = CompletableFuture.supplyAsync(() -> migrations.migrateInOneTransaction("4.4", c -> stepRan.set(true)));
            Poll.until(Duration.ofSeconds(30), "the restore's Flyway trying for its lock",
                    () -> restore.isDone() || tryingForFlywaysLock());
            // The other migrator, holding Flyway's lock, applies V4_4 as Flyway would.
            other.setAutoCommit(false);
            st.execute("DROP INDEX factory.agents_live_updated_idx; DROP INDEX factory.prds_live_updated_idx");
            try (PreparedStatement history = other.prepareStatement("""
                    INSERT INTO factory_migrations.flyway_schema_history (installed_rank, version, description, type,
                        script, checksum, installed_by, execution_time, success)
                    SELECT max(installed_rank) + 1, ?, ?, 'SQL', ?, ?, current_user, 1, true
                    FROM factory_migrations.flyway_schema_history""")) {
                history.setString(1, "4.4");
                history.setString(2, v44.getDescription());
                history.setString(3, v44.getScript());
                history.setInt(4, v44.getChecksum());
                history.executeUpdate();
            }
            other.commit();
            other.setAutoCommit(true);
            st.execute("SELECT pg_advisory_unlock(" + FLYWAY_LOCK + ")");
        }

        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> restore.get(120, TimeUnit.SECONDS), "the restore must not report success without its step");
        assertThat(refused.getCause()).isInstanceOf(MigrationException.class).hasMessageContaining("V4.4")
                .hasMessageContaining("nothing was applied");
        assertThat(stepRan).isFalse();
    }

    private static boolean tryingForFlywaysLock() {
        return TestDatabases.count(endpoints, DATABASE, "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                + DATABASE + "' AND pid <> pg_backend_pid() AND query LIKE '%pg_try_advisory_lock(" + FLYWAY_LOCK + ")%'") > 0;
    }

    private static Connection connect() throws SQLException {
        return TestDatabases.superuser(endpoints, DATABASE);
    }
}
