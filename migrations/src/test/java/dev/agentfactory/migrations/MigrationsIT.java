package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** The migrations against real PostgreSQL: each test owns a fresh database on the shared primary. */
@ExtendWith(LocalStackExtension.class)
class MigrationsIT {

    private StackEndpoints endpoints;
    private LocalStack stack;
    private String database;
    private String url;
    private Map<String, String> env;
    private Migrations migrations;

    @BeforeEach
    void freshDatabase(StackEndpoints endpoints, LocalStack stack, TestInfo test) {
        this.endpoints = endpoints;
        this.stack = stack;
        database = "it_migrations_" + test.getTestMethod().orElseThrow().getName().toLowerCase();
        database = database.substring(0, Math.min(database.length(), 60));
        stack.primary().dropDatabase(database);
        stack.primary().createDatabase(database);
        url = endpoints.primaryJdbcUrl(database);
        env = Map.of("FACTORY_DB_URL", url, "FACTORY_DB_OWNER_USER", endpoints.superuser(),
                "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword());
        migrations = new Migrations(MigrationSettings.fromEnvironment(env));
    }

    @AfterEach
    void dropDatabase() {
        stack.primary().dropDatabase(database);
    }

    @Test
    void everyMigrationAppliesToAnEmptyDatabaseAndRollsBackStepByStepToEmpty() {
        assertThat(migrations.fingerprint().isEmpty()).isTrue();
        List<String> versions = migrations.info().stream().map(m -> m.getVersion().getVersion()).toList();
        assertThat(versions).isNotEmpty();
        Map<String, CatalogFingerprint> after = new LinkedHashMap<>();
        for (String v : versions) {
            assertThat(migrations.migrateTo(v)).as("V%s applies", v).isEqualTo(1);
            after.put(v, migrations.fingerprint());
        }
        List<String> newestFirst = new ArrayList<>(versions);
        java.util.Collections.reverse(newestFirst);
        for (int i = 0; i < newestFirst.size(); i++) {
            String previous = i + 1 < newestFirst.size() ? newestFirst.get(i + 1) : "0";
            assertThat(migrations.rollbackTo(previous)).hasSize(1);
            CatalogFingerprint expected = after.getOrDefault(previous, new CatalogFingerprint(new java.util.TreeSet<>()));
            assertThat(expected.differences(migrations.fingerprint())).as("after rolling back to V%s", previous).isEmpty();
        }
        assertThat(migrations.fingerprint().isEmpty()).as("rolled back to empty").isTrue();
        assertThat(migrations.info()).filteredOn(m -> m.getScript().endsWith(".sql")).noneMatch(MigrationInfo::isApplied);
    }

    @Test
    void everyVersionRoundTripsMigrateRollbackMigrateToAnIdenticalCatalog() {
        List<String> versions = migrations.info().stream().map(m -> m.getVersion().getVersion()).toList();
        CatalogFingerprint before = migrations.fingerprint();
        String previous = "0";
        for (String v : versions) {
            migrations.migrateTo(v);
            CatalogFingerprint applied = migrations.fingerprint(); // V4_1 changes a role only: rollingBackV4_1...

            assertThat(migrations.rollbackTo(previous)).as("U%s", v).hasSize(1);
            assertThat(before.differences(migrations.fingerprint())).as("U%s undoes V%s", v, v).isEmpty();

            assertThat(migrations.migrateTo(v)).as("V%s applies again after U%s", v, v).isEqualTo(1);
            assertThat(applied.differences(migrations.fingerprint())).as("V%s again", v).isEmpty();
            before = applied;
            previous = v;
        }
    }

    @Test
    void migrateRollbackMigrateLeavesAnIdenticalCatalog() {
        migrations.migrate();
        CatalogFingerprint first = migrations.fingerprint();
        assertThat(first.lines()).anyMatch(l -> l.startsWith("column agents.slug text not null"));

        assertThat(run("rollback", "--to", "0").code()).isZero();
        assertThat(migrations.fingerprint().isEmpty()).isTrue();
        assertThat(run("migrate").code()).isZero();

        assertThat(first.differences(migrations.fingerprint())).isEmpty();
        assertThat(migrations.fingerprint()).isEqualTo(first);
    }

    /**
     * With Flyway's default transactional lock on PostgreSQL, each script commits on one connection and its history
     * row on a second (which holds the lock), so a kill between the two commits leaves a migration applied but
     * unrecorded, and every later migrate runs it again and fails. Each migration must run on the one session of the
     * migrator, the one that holds Flyway's advisory lock and writes the history row in the script's transaction.
     */
    @Test
    void eachMigrationRunsOnTheMigratorsOneSessionWhichHoldsFlywaysLock() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Callback sessions = new Callback() {
            @Override
            public boolean supports(Event event, Context context) {
                return event == Event.BEFORE_EACH_MIGRATE;
            }

            @Override
            public boolean canHandleInTransaction(Event event, Context context) {
                return true;
            }

            @Override
            public void handle(Event event, Context context) {
                try (Statement st = context.getConnection().createStatement(); var rs = st.executeQuery(
                        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND usename = current_user),"
                                + " EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                + " AND pid = pg_backend_pid()"
                                + " AND ((classid::bigint << 32) | objid::bigint) = "
                                + Rollbacks.FLYWAY_LOCK_KEY + ")")) {
                    rs.next();
                    seen.add("V" + context.getMigrationInfo().getVersion() + ": " + rs.getLong(1) + " session(s), "
                            + (rs.getBoolean(2) ? "holds" : "does not hold") + " the lock");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public String getCallbackName() {
                return "migrator-sessions";
            }
        };

        int applied = migrations.configure(null).callbacks(sessions).load().migrate().migrationsExecuted;

        assertThat(applied).isPositive();
        assertThat(seen).hasSize(applied)
                .allMatch(line -> line.endsWith(": 1 session(s), holds the lock"), "one session, holding the lock");
    }

    @Test
    void rollbackIsRecordedAndForgottenByFlyway() throws Exception {
        migrations.migrate();
        migrations.rollbackTo("0");
        try (Connection c = connect(); Statement st = c.createStatement()) {
            // newest first: V1 is the last one rolled back, whatever later migrations exist
            var rs = st.executeQuery("SELECT version, script FROM factory_migrations.rollback_history ORDER BY id DESC");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("1");
            assertThat(rs.getString(2)).isEqualTo("U1__factory_schema.sql");
        }
        DbRun info = run("info");
        assertThat(info.out()).contains("rollbacks:").contains("V1 rolled back by");
        assertThat(migrations.currentVersion()).isNull();
    }

    @Test
    void validatePassesOnAFreshlyMigratedDatabase() {
        migrations.migrate();
        DbRun result = run("validate");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("valid");
    }

    @Test
    void validateOfADatabaseBehindTheScriptsChecksItsVersionAndNamesWhatIsPending() {
        migrations.migrateTo("4.3");
        DbRun result = run("validate");
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("at V4.3").contains("pending: V4.4");
    }

    @Test
    void validateFailsOnATamperedMigration() throws Exception {
        migrations.migrate();
        sql("UPDATE factory_migrations.flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("INVALID: applied migrations do not match").contains("checksum");
        assertThatThrownBy(() -> migrations.rollbackTo("0")).hasMessageContaining("changed after it was applied");
    }

    @Test
    void validateFailsOnADroppedColumn() throws Exception {
        migrations.migrate();
        sql("ALTER TABLE factory.agents DROP COLUMN metadata");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("drifted").contains("- missing:    column agents.metadata jsonb not null");
    }

    @Test
    void validateFailsOnAMissingIndex() throws Exception {
        migrations.migrate();
        sql("DROP INDEX factory.agents_live_status_updated_idx");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("- missing:    index CREATE INDEX agents_live_status_updated_idx");
    }

    @Test
    void validateNamesAnObjectAddedByHand() throws Exception {
        migrations.migrate();
        sql("CREATE INDEX stray_idx ON factory.prds (owner)");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("+ unexpected: index CREATE INDEX stray_idx");
    }

    @Test
    void validateNamesALostRowLevelSecurityFlag() throws Exception {
        migrations.migrate();
        sql("ALTER TABLE factory.audit_log DISABLE ROW LEVEL SECURITY");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("- missing:    table audit_log kind=r rls=true");
    }

    @Test
    void validateNamesASecurityDefinerFunctionOrTableGivenToAnotherOwner() throws Exception {
        // A SECURITY DEFINER function runs as its owner, and a table's owner bypasses its row-level security.
        migrations.migrate();
        sql("ALTER FUNCTION factory.rows_reference_agents() OWNER TO factory_writer");
        sql("ALTER TABLE factory.audit_log OWNER TO factory_writer");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).containsPattern("\\+ unexpected: function rows_reference_agents\\(\\) .*owner=factory_writer")
                .containsPattern("\\+ unexpected: table audit_log .*owner=factory_writer");
    }

    @Test
    void validateNamesForeignKeyTriggersDisabledByHand() throws Exception {
        // What pg_restore --disable-triggers emits, and an interrupted restore leaves: the foreign keys still read as
        // defined, but links to missing agents and PRDs are accepted.
        migrations.migrate();
        sql("ALTER TABLE factory.prd_agents DISABLE TRIGGER ALL");
        DbRun result = run("validate");
        assertThat(result.code()).as(result.out()).isEqualTo(1);
        assertThat(result.err())
                .contains("- missing:    trigger internal on prd_agents for constraint prd_agents.prd_agents_agent_id_fkey"
                        + " RI_FKey_check_ins enabled=O")
                .contains("+ unexpected: trigger internal on prd_agents for constraint prd_agents.prd_agents_agent_id_fkey"
                        + " RI_FKey_check_ins enabled=D")
                .contains("+ unexpected: trigger internal on prd_agents for constraint prd_agents.prd_agents_prd_id_fkey"
                        + " RI_FKey_check_upd enabled=D");

        sql("ALTER TABLE factory.prd_agents ENABLE TRIGGER ALL");
        DbRun again = run("validate");
        assertThat(again.code()).as(again.err()).isZero();
    }

    @Test
    void validateNamesARuleAddedByHand() throws Exception {
        // DO INSTEAD NOTHING drops every delete of the audit log without an error.
        migrations.migrate();
        sql("CREATE RULE keep_audit AS ON DELETE TO factory.audit_log DO INSTEAD NOTHING");
        DbRun result = run("validate");
        assertThat(result.code()).as(result.out()).isEqualTo(1);
        assertThat(result.err()).contains("+ unexpected: rule audit_log.keep_audit CREATE RULE keep_audit AS"
                + " ON DELETE TO factory.audit_log DO INSTEAD NOTHING; enabled=O");
    }

    @Test
    void validateNamesAnIndexLeftInvalid() throws Exception {
        // What a failed CREATE INDEX CONCURRENTLY by hand leaves: the definition is there, the index is not used.
        migrations.migrate();
        sql("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'factory.agents_live_status_updated_idx'::regclass");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).containsPattern("\\+ unexpected: index CREATE INDEX agents_live_status_updated_idx .* invalid");
    }

    @Test
    void validateNamesAColumnGrantedByHand() throws Exception {
        migrations.migrate();
        sql("GRANT UPDATE (state) ON factory.agents TO factory_reader");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).containsPattern("\\+ unexpected: column agents.state jsonb .*acl=.*factory_reader=w");
    }

    @Test
    void validateNamesDefaultPrivilegesGrantedInTheSchemaUntilTheyAreRevoked() throws Exception {
        // Every table created in factory from then on readable by every role (on Supabase, TO anon: by anyone with
        // the project's public API key), and every function the writer creates executable by the reader.
        migrations.migrate();
        String owner = endpoints.superuser();
        sql("ALTER DEFAULT PRIVILEGES IN SCHEMA factory GRANT SELECT ON TABLES TO PUBLIC");
        sql("ALTER DEFAULT PRIVILEGES FOR ROLE factory_writer IN SCHEMA factory GRANT EXECUTE ON FUNCTIONS TO factory_reader");
        DbRun result = run("validate");
        assertThat(result.code()).as(result.out()).isEqualTo(1);
        assertThat(result.err())
                .contains("+ unexpected: default privileges in schema factory for role " + owner
                        + " on new tables acl={=r/" + owner + "}")
                .contains("+ unexpected: default privileges in schema factory for role factory_writer on new functions"
                        + " acl={factory_reader=X/factory_writer}");

        sql("ALTER DEFAULT PRIVILEGES IN SCHEMA factory REVOKE SELECT ON TABLES FROM PUBLIC");
        sql("ALTER DEFAULT PRIVILEGES FOR ROLE factory_writer IN SCHEMA factory REVOKE EXECUTE ON FUNCTIONS FROM factory_reader");
        // A role's default privileges for the whole database are its own setting, not factory's (CatalogFingerprint).
        sql("ALTER DEFAULT PRIVILEGES FOR ROLE factory_writer REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
        DbRun again = run("validate");
        assertThat(again.code()).as(again.err()).isZero();
    }

    @Test
    void validateNamesAPublicationColumnListOrRowFilterSetByHand() throws Exception {
        // The tables stay in factory_cdc, so membership alone looks right; the relay would get only some
        // columns of agents (and its updates would fail: the list does not cover the full replica identity)
        // and no deleted PRDs at all. A list naming every column of the heartbeat table publishes the same today
        // but not a column added later; pg_publication_tables.attnames alone reads the same for it.
        migrations.migrate();
        sql("ALTER PUBLICATION factory_cdc DROP TABLE factory.agents, factory.prds, factory.cdc_heartbeat");
        sql("ALTER PUBLICATION factory_cdc ADD TABLE factory.agents (id, version), "
                + "factory.prds WHERE (deleted_at IS NULL), factory.cdc_heartbeat (id, beat_at)");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err())
                .containsPattern("- missing:    publication factory_cdc table agents columns=all row_filter=- ")
                .containsPattern("\\+ unexpected: publication factory_cdc table agents columns=id,version row_filter=- ")
                .containsPattern("\\+ unexpected: publication factory_cdc table prds columns=all"
                        + " row_filter=\\(deleted_at IS NULL\\) ")
                .containsPattern("\\+ unexpected: publication factory_cdc table cdc_heartbeat columns=id,beat_at ");
    }

    @Test
    void validateNamesAPublicationPublishingViaThePartitionRootSetByHand() throws Exception {
        // No factory table is partitioned today, but one that is would reach the relay under its root's name.
        migrations.migrate();
        sql("ALTER PUBLICATION factory_cdc SET (publish_via_partition_root = true)");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("- missing:    publication factory_cdc table agents columns=all row_filter=-"
                        + " publish=insert,update,delete,truncate publish_via_partition_root=false")
                .contains("+ unexpected: publication factory_cdc table agents columns=all row_filter=-"
                        + " publish=insert,update,delete,truncate publish_via_partition_root=true");
    }

    @Test
    void validateNamesAColumnCollationChangedByHand() throws Exception {
        // format_type shows text either way, yet "C" changes what the unique slug index treats as equal and how
        // slugs sort.
        migrations.migrate();
        sql("ALTER TABLE factory.agents ALTER COLUMN slug TYPE text COLLATE \"C\"");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("- missing:    column agents.slug text not null")
                .contains("+ unexpected: column agents.slug text collate pg_catalog.\"C\" not null");
    }

    @Test
    void validateNamesTableStorageOptionsSetByHand() throws Exception {
        migrations.migrate();
        sql("ALTER TABLE factory.audit_log SET (fillfactor = 70, autovacuum_enabled = false)");
        sql("ALTER TABLE factory.agents SET (toast.autovacuum_enabled = false)");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).containsPattern("- missing:    table audit_log kind=r .* options=-")
                .containsPattern("\\+ unexpected: table audit_log kind=r .* options=autovacuum_enabled=false,fillfactor=70")
                .containsPattern("\\+ unexpected: table agents kind=r .* options=toast.autovacuum_enabled=false");
    }

    @Test
    void validateNamesATableMadeUnloggedByHand() throws Exception {
        // a crash of the server empties an UNLOGGED table: the relay's offsets, and it would snapshot everything again
        migrations.migrate();
        sql("ALTER TABLE factory.cdc_offsets SET UNLOGGED");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).contains("+ unexpected: table cdc_offsets kind=r persistence=u rls=");
    }

    @Test
    void validateNamesIdentitySequenceOptionsChangedByHand() throws Exception {
        migrations.migrate();
        sql("ALTER TABLE factory.audit_log ALTER COLUMN id SET INCREMENT BY 10 SET MAXVALUE 1000000 SET CACHE 20 SET CYCLE");
        DbRun result = run("validate");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err())
                .contains("- missing:    sequence audit_log_id_seq bigint start=1 increment=1 min=1 max=9223372036854775807"
                        + " cache=1 no cycle")
                .contains("+ unexpected: sequence audit_log_id_seq bigint start=1 increment=10 min=1 max=1000000"
                        + " cache=20 cycle");
    }

    @Test
    void rollingBackV4_1TakesBypassRlsFromTheWriterAgain() throws Exception {
        // A role attribute is cluster-wide, so the catalog fingerprint cannot see it: checked here directly.
        migrations.migrateTo("4.1");
        assertThat(writerBypassesRls()).as("after V4_1").isTrue();
        migrations.rollbackTo("3.1");
        assertThat(writerBypassesRls()).as("after U4_1").isFalse();
        migrations.migrate(); // leave the shared cluster's writer as the migrations define it
        assertThat(writerBypassesRls()).isTrue();
    }

    private boolean writerBypassesRls() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT rolbypassrls FROM pg_roles WHERE rolname = 'factory_writer'")) {
            assertThat(rs.next()).isTrue();
            return rs.getBoolean(1);
        }
    }

    @Test
    void rollbackToAVersionNoMigrationHasIsRefusedAndChangesNothing() {
        migrations.migrate();
        CatalogFingerprint before = migrations.fingerprint();
        var current = migrations.currentVersion();

        // There is no V3 (only V3_1): rolling back "to 3" must not quietly undo V3_1 as well and claim "now at V3".
        DbRun result = run("rollback", "--to", "3");

        assertThat(result.code()).as(result.out()).isEqualTo(1);
        assertThat(result.err()).contains("no migration V3").contains("nothing was rolled back");
        assertThat(migrations.currentVersion()).isEqualTo(current);
        assertThat(before.differences(migrations.fingerprint())).isEmpty();
    }

    @Test
    void badArgumentsPrintUsageAndExitTwo() {
        assertThat(run("rollback").code()).isEqualTo(2);
        assertThat(run("rollback", "--to", "latest").code()).isEqualTo(2);
        DbRun unknown = run("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'frobnicate'").contains("usage: db");
    }

    @Test
    void unreachableDatabaseFailsWithExitOne() {
        Map<String, String> bad = new java.util.HashMap<>(env);
        bad.put("FACTORY_DB_URL", JdbcUrls.withDatabase(url, "it_migrations_does_not_exist"));
        DbRun result = run(bad, "info");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).startsWith("db info failed:").contains("it_migrations_does_not_exist");
    }

    private void sql(String statement) throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
    }

    private DbRun run(String... args) {
        return DbRun.of(env, args);
    }

    private static DbRun run(Map<String, String> environment, String... args) {
        return DbRun.of(environment, args);
    }
}
