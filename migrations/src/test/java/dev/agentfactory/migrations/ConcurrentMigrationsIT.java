package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * Migrators of different databases of one cluster (a service's database and `db validate`'s scratch database,
 * two services, parallel test suites) share the cluster-wide role rows that V1 and V4_1 alter. Flyway's lock is
 * an advisory lock, which PostgreSQL scopes to one database, so it does not serialize them.
 */
@ExtendWith(LocalStackExtension.class)
class ConcurrentMigrationsIT {

    private static final String DATABASE = "it_mig_concurrent";
    private static final String ONE_AGENT = "INSERT INTO factory.agents (id, slug, name, kind, version, created_at, "
            + "created_by, updated_at, updated_by) VALUES (gen_random_uuid(), 'a', 'A', 'coder', 1, now(), 'it', now(), 'it')";
    private StackEndpoints endpoints;
    private LocalStack stack;
    private Migrations migrations;

    @BeforeEach
    void freshDatabase(StackEndpoints endpoints, LocalStack stack) {
        this.endpoints = endpoints;
        this.stack = stack;
        migrations = TestDatabases.fresh(stack, endpoints, DATABASE);
    }

    @AfterEach
    void drop() {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void aMigrationRacingAnotherDatabasesUpdateOfTheSameRoleStillApplies() throws Exception {
        migrations.migrateTo("1"); // the roles exist from here on, as on any cluster migrated before
        stack.primary().dropDatabase(DATABASE);
        stack.primary().createDatabase(DATABASE);

        CompletableFuture<Integer> migrating;
        try (Connection other = TestDatabases.superuser(endpoints, "postgres")) {
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                // What V1 does when it migrates another database of the cluster, caught before its commit.
                st.execute("ALTER ROLE factory_writer SET idle_in_transaction_session_timeout = '60s'");
            }
            migrating = CompletableFuture.supplyAsync(migrations::migrate);
            Poll.until(Duration.ofSeconds(20), "the migration waiting for the other update of factory_writer",
                    () -> migrating.isDone() || waitingOnALock() > 0);
            other.commit();
        }

        assertThat(migrating.get(60, TimeUnit.SECONDS)).isPositive();
        assertThat(migrations.flyway().info().pending()).isEmpty();
        assertThat(migrations.validate().valid()).isTrue();
    }

    @Test
    void aOneTransactionMigrationRacingAnotherDatabasesRoleUpdateIsRetriedWholeItsStepIncluded() throws Exception {
        migrations.migrateTo("1");
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Integer> migrating;
        try (Connection other = TestDatabases.superuser(endpoints, "postgres")) {
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                // What V4_1 does when it migrates another database of the cluster, caught before its commit.
                st.execute("ALTER ROLE factory_writer BYPASSRLS");
            }
            // As a restore does: the step loads rows at V1, before V4_1 (which then loses the race) runs.
            migrating = CompletableFuture.supplyAsync(() -> migrations.migrateInOneTransaction("1", c -> {
                attempts.incrementAndGet();
                try (Statement st = c.createStatement()) {
                    st.execute(ONE_AGENT);
                }
            }));
            Poll.until(Duration.ofSeconds(20), "the migration waiting for the other update of factory_writer",
                    () -> migrating.isDone() || waitingOnALock() > 0);
            other.commit();
        }

        assertThat(migrating.get(60, TimeUnit.SECONDS)).isPositive();
        assertThat(attempts).as("the step ran again in the retried transaction").hasValue(2);
        assertThat(TestDatabases.count(endpoints, DATABASE, "SELECT count(*) FROM factory.agents"))
                .as("the first attempt's rows rolled back with it").isEqualTo(1);
        assertThat(migrations.flyway().info().pending()).isEmpty();
    }

    private long waitingOnALock() {
        return TestDatabases.count(endpoints, "postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                + DATABASE + "' AND wait_event_type = 'Lock'");
    }
}
