package dev.agentfactory.ops.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.migrations.CatalogFingerprint;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * Restore into a database that existed before it (empty): a migration newer than the backup that fails leaves
 * the target as the restore found it (schema version, catalog, no rows, no Flyway history schema it did not
 * have), exit 1 with a message saying so; a target past the backup's schema is refused untouched. The backup
 * is taken at V1, so every later migration runs after the load. A restore that loses a cluster-wide role update
 * to another database's migration is retried whole. Own databases and topics on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreIntoExistingTargetIT {

    private static final String AGENT = "INSERT INTO factory.agents (id, slug, name, kind, version, created_at, "
            + "created_by, updated_at, updated_by) SELECT gen_random_uuid(), 'agent-' || i, 'Agent ' || i, 'coder', 1, "
            + "now(), 'it', now(), 'it' FROM generate_series(1, 3) i";

    private final String prefix = "it_ops_rst_" + OpsTestBed.suffix();
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private Map<String, String> env;
    private Path backups;
    private Path backup;
    private final List<String> databases = new java.util.ArrayList<>();

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.bed = new OpsTestBed(endpoints, stack);
        backups = Files.createTempDirectory("it-ops-restore");
        String agents = prefix.replace('_', '.') + ".agents";
        String prds = prefix.replace('_', '.') + ".prds";
        String source = database("src");
        env = Map.of("FACTORY_DB_URL", endpoints.primaryJdbcUrl(source), "FACTORY_DB_OWNER_USER",
                endpoints.superuser(), "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword(),
                "FACTORY_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(), "FACTORY_CDC_AGENTS_AUDIT_TOPIC", agents,
                "FACTORY_CDC_PRDS_AUDIT_TOPIC", prds, "FACTORY_BACKUP_DIR", backups.toString());
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        migrations(source).migrateTo("1");
        bed.execute(endpoints.primaryJdbcUrl(source), AGENT);
        backup = BackupCommand.create(backups, endpoints.primaryJdbcUrl(source), OpsSettings.fromEnvironment(env));
    }

    @AfterAll
    void tearDown() throws Exception {
        for (String db : databases) {
            bed.dropDatabase(db);
        }
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void aLaterMigrationFailingOnANeverMigratedTargetLeavesItWithoutSchemaAndHistory() throws Exception {
        String target = database("fresh");
        try (Connection c = connect(target); Statement st = c.createStatement()) {
            st.execute("CREATE PUBLICATION factory_cdc"); // V3_1 creates it: fails after V1 and the load
        }

        String err = stderrOf(() -> restore(target));

        assertThat(err).contains("factory_cdc").contains("is as the restore found it: at no schema version, no rows");
        try (Connection c = connect(target); Statement st = c.createStatement()) {
            assertThat(scalar(st, "SELECT to_regnamespace('factory') IS NULL")).isEqualTo("t");
            assertThat(scalar(st, "SELECT to_regnamespace('factory_migrations') IS NULL")).isEqualTo("t");
            assertThat(scalar(st, "SELECT count(*) FROM pg_publication WHERE pubname = 'factory_cdc'")).isEqualTo("1");
        }
    }

    @Test
    void theLastMigrationFailingOnATargetAtTheBackupsVersionLeavesItsCatalogAndVersionAsFound() throws Exception {
        String target = database("at1");
        Migrations migrations = migrations(target);
        migrations.migrateTo("1");
        try (Connection c = connect(target); Statement st = c.createStatement()) {
            st.execute("DROP INDEX factory.agents_live_updated_idx"); // V4_4 drops it: a later migration fails
        }
        CatalogFingerprint before = migrations.fingerprint();

        String err = stderrOf(() -> restore(target));

        assertThat(err).contains("agents_live_updated_idx")
                .contains("is as the restore found it: at schema version 1, no rows");
        assertThat(migrations.currentVersion().getVersion()).isEqualTo("1");
        assertThat(before.differences(migrations.fingerprint())).isEmpty();
        try (Connection c = connect(target); Statement st = c.createStatement()) {
            assertThat(scalar(st, "SELECT count(*) FROM factory.agents")).isEqualTo("0");
            assertThat(scalar(st, "SELECT count(*) FROM factory_migrations.flyway_schema_history "
                    + "WHERE version IS NOT NULL AND version <> '1' AND type = 'SQL'")).isEqualTo("0");
        }
    }

    @Test
    void anEmptyTargetAtTheBackupsVersionIsLoadedAndMigratedToTheNewest() throws Exception {
        String target = database("ok");
        Migrations migrations = migrations(target);
        migrations.migrateTo("1");

        assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + endpoints.primaryJdbcUrl(target)),
                env)).isZero();

        assertThat(migrations.currentVersion()).isEqualTo(newest(migrations));
        try (Connection c = connect(target); Statement st = c.createStatement()) {
            assertThat(scalar(st, "SELECT count(*) FROM factory.agents")).isEqualTo("3");
        }
    }

    @Test
    void purgeFloorsLeftInAReusedStandbyDatabaseAreClearedByTheRestore() throws Exception {
        String source = database("src_newest");
        migrations(source).migrate();
        bed.execute(endpoints.primaryJdbcUrl(source), AGENT);
        Path newest = BackupCommand.create(backups, endpoints.primaryJdbcUrl(source), OpsSettings.fromEnvironment(env));
        String target = database("floors");
        migrations(target).migrate();
        // a floor from the primary a former relay streamed: its LSN means nothing against the next one's
        bed.execute(endpoints.primaryJdbcUrl(target), "INSERT INTO factory.cdc_purge_floors (entity_id, entity_table, "
                + "purge_lsn) VALUES (gen_random_uuid(), 'agents', 9223372036854775807)");

        assertThat(RestoreCommand.run(List.of("--backup=" + newest, "--target=" + endpoints.primaryJdbcUrl(target)),
                env)).isZero();

        try (Connection c = connect(target); Statement st = c.createStatement()) {
            assertThat(scalar(st, "SELECT count(*) FROM factory.cdc_purge_floors")).isEqualTo("0");
            assertThat(scalar(st, "SELECT count(*) FROM factory.agents")).isEqualTo("3");
        }
    }

    @Test
    void aRestoreNamesItsTargetWithoutThePasswordItsUrlCarries() throws Exception {
        String target = database("pw");
        migrations(target).migrateTo("1");
        String url = endpoints.primaryJdbcUrl(target) + "?password=" + endpoints.superuserPassword();

        String out = OpsTestBed.stdoutOf(() -> assertThat(RestoreCommand.run(
                List.of("--backup=" + backup, "--target=" + url), env)).isZero());

        assertThat(out).contains("restore: 3 rows into").contains(target + "?password=***")
                .doesNotContain("password=" + endpoints.superuserPassword());
    }

    @Test
    void aFailedRoleCreationOnTheTargetPrintsTheRolePasswordVerifierMasked() throws Exception {
        // V1 creates a role it does not see; PostgreSQL quotes the CREATE ROLE, the password's verifier and all, in the
        // error. The roles exist on the shared cluster, so this target hides them behind an empty pg_roles found first.
        String target = database("role");
        try (Connection c = connect(target); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + target + " SET search_path = shadow, pg_catalog");
            st.execute("CREATE SCHEMA shadow");
            st.execute("CREATE VIEW shadow.pg_roles AS SELECT * FROM pg_catalog.pg_roles WHERE false");
        }
        Map<String, String> withPasswords = new java.util.HashMap<>(env);
        withPasswords.put("FACTORY_DB_WRITER_PASSWORD", "Wr1ter$ecret'q\\b");
        withPasswords.put("FACTORY_DB_READER_PASSWORD", "reader-s3cret");
        withPasswords.put("FACTORY_DB_REPLICATOR_PASSWORD", "replicator-s3cret");

        String err = OpsTestBed.stderrOf(() -> assertThat(RestoreCommand.run(List.of("--backup=" + backup,
                "--target=" + endpoints.primaryJdbcUrl(target)), withPasswords)).isEqualTo(1));

        assertThat(err).contains("ops restore refused: ").contains("role \"factory_writer\" already exists")
                .contains("CREATE ROLE factory_writer LOGIN PASSWORD '***'").doesNotContain("Wr1ter")
                .doesNotContain("SCRAM-SHA-256");
    }

    @Test
    void aTargetPastTheBackupsSchemaIsRefusedWithTheRollbackThatWouldAdmitIt() throws Exception {
        String target = database("newer");
        Migrations migrations = migrations(target);
        migrations.migrate();
        CatalogFingerprint before = migrations.fingerprint();

        String err = stderrOf(() -> restore(target));

        assertThat(err).contains("newer than the backup's 1")
                .contains("bin/db rollback --to 1")
                .contains("is as the restore found it: at schema version " + newest(migrations).getVersion());
        assertThat(before.differences(migrations.fingerprint())).isEmpty();
    }

    @Test
    void aRestoreLosingARoleUpdateToAnotherDatabasesMigrationIsRetriedWholeAndLoadsOnce() throws Exception {
        String target = database("race");
        Migrations migrations = migrations(target);
        migrations.migrateTo("1");
        CompletableFuture<Integer> restoring;
        try (Connection other = connect("postgres")) {
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                // What V4_1 does when it migrates another database of the cluster, caught before its commit.
                st.execute("ALTER ROLE factory_writer BYPASSRLS");
            }
            // The load runs at V1, then V4_1 of the same transaction waits for the role row and loses the race.
            restoring = CompletableFuture.supplyAsync(() -> restore(target));
            Poll.until(Duration.ofSeconds(30), "the restore waiting for the other update of factory_writer",
                    () -> restoring.isDone() || waitingOnALock(target));
            other.commit();
        }

        assertThat(restoring.get(120, TimeUnit.SECONDS)).isZero();
        assertThat(migrations.currentVersion()).isEqualTo(newest(migrations));
        try (Connection c = connect(target); Statement st = c.createStatement()) {
            assertThat(scalar(st, "SELECT count(*) FROM factory.agents")).isEqualTo("3");
        }
    }

    private boolean waitingOnALock(String target) {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            return !"0".equals(scalar(st, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + target
                    + "' AND wait_event_type = 'Lock'"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private int restore(String target) {
        return RestoreCommand.run(List.of("--backup=" + backup, "--target=" + endpoints.primaryJdbcUrl(target)), env);
    }

    private static org.flywaydb.core.api.MigrationVersion newest(Migrations migrations) {
        var all = migrations.info();
        return all.get(all.size() - 1).getVersion();
    }

    /** Runs a restore that must fail with exit code 1 and returns what it wrote to stderr. */
    private static String stderrOf(IntSupplier run) throws Exception {
        return OpsTestBed.stderrOf(() -> assertThat(run.getAsInt()).isEqualTo(1));
    }

    private String database(String name) {
        String db = prefix + "_" + name;
        bed.createDatabase(db);
        databases.add(db);
        return db;
    }

    private Migrations migrations(String db) {
        return new Migrations(MigrationSettings.fromEnvironment(env).withUrl(endpoints.primaryJdbcUrl(db)));
    }

    private Connection connect(String db) throws Exception {
        return bed.connect(endpoints.primaryJdbcUrl(db));
    }

    private static String scalar(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
