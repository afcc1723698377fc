package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * A rollback whose scripts drop a table that holds rows loses those rows for good, so only an explicit
 * {@code --drop-data} does that: not only agents, PRDs and audit rows (U1), but the stored outcomes and the
 * worker's offsets (U1) and the relay's offsets (U3_1, after which the relay would snapshot and republish everything).
 */
@ExtendWith(LocalStackExtension.class)
class RollbackDropDataIT {

    private static final String DATABASE = "it_mig_rollback_drop_data";
    private StackEndpoints endpoints;
    private Migrations migrations;

    @BeforeEach
    void migrated(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        migrations = TestDatabases.fresh(stack, e, DATABASE);
        migrations.migrate();
    }

    @AfterEach
    void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void aRollbackToEmptyKeepsASchemaWithDataUnlessToldToDropIt() throws Exception {
        sql("INSERT INTO factory.agents (id, slug, name, kind, version, created_at, created_by, updated_at, updated_by)"
                + " VALUES (gen_random_uuid(), 'kept', 'Kept', 'coder', 1, now(), 'it', now(), 'it')");
        var at = migrations.currentVersion();
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("FACTORY_DB_URL", endpoints.primaryJdbcUrl(DATABASE));

        DbRun refused = DbRun.of(env, "rollback", "--to", "0");

        assertThat(refused.code()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err()).contains("drops tables that hold rows: factory.agents;").contains("--drop-data")
                .contains("nothing was rolled back");
        assertThat(migrations.currentVersion()).isEqualTo(at);
        assertThat(count("SELECT count(*) FROM factory.agents")).isEqualTo(1);

        DbRun dropped = DbRun.of(env, "rollback", "--to", "0", "--drop-data");

        assertThat(dropped.code()).as(dropped.err()).isZero();
        assertThat(migrations.currentVersion()).isNull();
        assertThat(count("SELECT count(*) FROM pg_namespace WHERE nspname = 'factory'")).isZero();
    }

    @Test
    void aRollbackToEmptyKeepsTheStoredOutcomesAndTheWorkersOffsetsEvenWithNoEntityLeft() throws Exception {
        sql("INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, reason)"
                + " VALUES (gen_random_uuid(), 'agent', gen_random_uuid(), 'agent.create', 'REJECTED', 'it')");
        sql("INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset)"
                + " VALUES ('factory-ingest', 'factory.agent-writes.v1', 0, 42)");
        var at = migrations.currentVersion();

        assertThatThrownBy(() -> migrations.rollbackTo("0")).isInstanceOf(MigrationException.class)
                .hasMessageContaining("factory.processed_events").hasMessageContaining("factory.ingest_offsets")
                .hasMessageContaining("--drop-data");

        assertThat(migrations.currentVersion()).isEqualTo(at);
        assertThat(count("SELECT count(*) FROM factory.ingest_offsets")).isEqualTo(1);
    }

    @Test
    void aRollbackPastV3_1KeepsTheRelaysOffsetsUnlessToldToDropThem() throws Exception {
        sql("INSERT INTO factory.cdc_offsets (offset_key, offset_value) VALUES ('\\x01', '\\x02')");
        var at = migrations.currentVersion();

        assertThatThrownBy(() -> migrations.rollbackTo("1")).isInstanceOf(MigrationException.class)
                .hasMessageContaining("rolling back to V1 drops tables that hold rows: factory.cdc_offsets;");
        assertThat(migrations.currentVersion()).isEqualTo(at);

        migrations.rollbackTo("1", true);

        assertThat(migrations.currentVersion()).isEqualTo(MigrationVersion.fromVersion("1"));
        assertThat(count("SELECT count(*) FROM pg_class WHERE oid = to_regclass('factory.cdc_offsets')")).isZero();
    }

    /**
     * The check counts a table's rows before the scripts run: a relay's first offset written between the two would
     * be dropped with the table, uncounted. The rollback locks each table it counts against writes until it commits,
     * so that offset waits for the rollback instead (and fails here, on its lock_timeout). The rollback is held
     * between the check and the drop by a lock on factory.agents, whose replica identity U3_1 resets before it drops
     * factory.cdc_offsets.
     */
    @Test
    void anOffsetWrittenAfterTheCheckWaitsForTheRollbackInsteadOfBeingDroppedUncounted() throws Exception {
        migrations.rollbackTo("3.1"); // nothing held; the next rollback runs U3_1 alone
        CompletableFuture<List<String>> rollback;
        // EXCLUSIVE: lets reads through, and U3_1's ALTER TABLE waits for it, whatever lock that takes
        try (Connection holder = TestDatabases.holding(endpoints, DATABASE, "LOCK TABLE factory.agents IN EXCLUSIVE MODE")) {
            rollback = TestDatabases.startBlocked(endpoints, DATABASE, migrations.settings().user(),
                    () -> migrations.rollbackTo("1"));

            try (Connection relay = TestDatabases.superuser(endpoints, DATABASE);
                 Statement st = relay.createStatement()) {
                st.execute("SET lock_timeout = '1s'");
                assertThatThrownBy(() -> st.execute(
                        "INSERT INTO factory.cdc_offsets (offset_key, offset_value) VALUES ('\\x01', '\\x02')"))
                        .as("the offset insert waits for the rollback holding factory.cdc_offsets")
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("55P03"));
            }
            holder.rollback();
        }

        assertThat(rollback.get(30, TimeUnit.SECONDS)).containsExactly("U3_1__cdc.sql");
        assertThat(migrations.currentVersion()).isEqualTo(MigrationVersion.fromVersion("1"));
    }

    /** The heartbeat's one row is written by V3_1 itself and rewritten by the relay: it is not data to keep. */
    @Test
    void aRollbackOfAnUnusedSchemaNeedsNoDropData() {
        assertThat(count("SELECT count(*) FROM factory.cdc_heartbeat")).isEqualTo(1);

        migrations.rollbackTo("0");

        assertThat(migrations.currentVersion()).isNull();
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
