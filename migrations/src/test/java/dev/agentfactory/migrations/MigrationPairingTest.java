package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

class MigrationPairingTest {

    private static final Path RESOURCES = Path.of("src/main/resources/db");

    @Test
    void everyForwardScriptHasItsPairedRollbackScriptAndNoRollbackIsOrphaned() throws IOException {
        List<String> forward = names("migration", "V");
        List<String> rollback = names("rollback", "U");
        assertThat(forward).isNotEmpty();
        assertThat(rollback).containsExactlyInAnyOrderElementsOf(forward);
    }

    private static final Pattern CASCADE = Pattern.compile("(?i)\\bCASCADE\\b");
    private static final Pattern SCHEMA_DROP_CASCADE = Pattern.compile("(?i)\\bDROP\\s+SCHEMA\\b[^;]*\\bCASCADE\\b");

    /**
     * {@code db rollback} looks for objects outside a schema before a script drops it ({@link OutsideDependents}), so
     * U1's {@code DROP SCHEMA factory CASCADE} takes nothing but the schema. Any other CASCADE in a rollback (a
     * {@code DROP TABLE … CASCADE}) would take a user's view over that table unchecked: drop without it, and
     * PostgreSQL refuses while anything depends on the object.
     */
    @Test
    void rollbackScriptsCascadeOnlyWhenTheyDropASchema() throws IOException {
        try (Stream<Path> files = Files.list(RESOURCES.resolve("rollback"))) {
            for (Path script : files.toList()) {
                String sql = Files.readString(script).replaceAll("--[^\n]*", "");
                long cascades = CASCADE.matcher(sql).results().count();
                assertThat(cascades).as("CASCADE in %s outside a DROP SCHEMA", script.getFileName())
                        .isEqualTo(SCHEMA_DROP_CASCADE.matcher(sql).results().count());
            }
        }
    }

    @Test
    void tlsOptionsFromTheEnvironmentAreAddedUnlessTheUrlSetsThem() {
        var settings = MigrationSettings.fromEnvironment(java.util.Map.of(
                "FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:5432/db?sslmode=require",
                "FACTORY_DB_SSLMODE", "disable", "FACTORY_DB_SSLROOTCERT", "/etc/ca.pem"));
        assertThat(settings.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/db?sslmode=require&sslrootcert=/etc/ca.pem");
    }

    @Test
    void aRemoteDatabaseNeedsEveryPasswordFromTheEnvironment() {
        var remote = java.util.Map.of("FACTORY_DB_URL", "jdbc:postgresql://db.example.supabase.co:5432/postgres",
                "FACTORY_DB_OWNER_PASSWORD", "s3cret");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MigrationSettings.fromEnvironment(remote))
                .isInstanceOf(MigrationException.class).hasMessageContaining("FACTORY_DB_WRITER_PASSWORD")
                .hasMessageNotContaining("FACTORY_DB_OWNER_PASSWORD");
        // the message names the database, without the password a URL parameter may carry
        var withPassword = java.util.Map.of("FACTORY_DB_URL",
                "jdbc:postgresql://db.example.supabase.co:5432/postgres?user=postgres&password=s3cret");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MigrationSettings.fromEnvironment(withPassword))
                .hasMessageContaining("db.example.supabase.co").hasMessageNotContaining("s3cret");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MigrationSettings.fromEnvironment(java.util.Map.of(
                "FACTORY_DB_URL", "postgresql://postgres:s3cret@db.example.supabase.co:5432/postgres")))
                .isInstanceOf(MigrationException.class).hasMessageStartingWith("FACTORY_DB_URL: ")
                .hasMessageNotContaining("s3cret");
        var local = MigrationSettings.fromEnvironment(java.util.Map.of());
        assertThat(local.writerPassword()).isEqualTo("factory_writer_local");
    }

    @Test
    void onlyAHostThatIsLoopbackMayUseTheLocalDefaultPasswords() {
        assertThat(MigrationSettings.isLoopback("jdbc:postgresql://127.0.0.1:55432/factory")).isTrue();
        assertThat(MigrationSettings.isLoopback("jdbc:postgresql://localhost/factory?sslmode=disable")).isTrue();
        assertThat(MigrationSettings.isLoopback("jdbc:postgresql://[::1]:5432/factory")).isTrue();
        assertThat(MigrationSettings.isLoopback("jdbc:postgresql://localhost.example.com:5432/factory")).isFalse();
        assertThat(MigrationSettings.isLoopback("jdbc:postgresql://localhost-db.prod.internal/factory")).isFalse();
        assertThat(MigrationSettings.isLoopback("jdbc:postgresql://127.0.0.1.nip.io/factory")).isFalse();
        assertThat(MigrationSettings.isLoopback("jdbc:postgresql://localhost:5432,db.example.com:5432/factory")).isFalse();
        // pgjdbc connects to the host a parameter names, not to the path's
        assertThatThrownBy(() -> MigrationSettings.fromEnvironment(java.util.Map.of(
                "FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:5432/factory?host=db.example.com")))
                .isInstanceOf(MigrationException.class).hasMessageContaining("FACTORY_DB_URL")
                .hasMessageNotContaining("db.example.com");
    }

    @Test
    void placeholderValuesCannotBreakOutOfTheirSqlLiteral() {
        assertThat(MigrationSettings.literal("it's")).isEqualTo("it''s");
        assertThat(MigrationSettings.literal("a$$b")).isEqualTo("a$' || '$' || 'b");
        assertThat(MigrationSettings.literal("a\nb")).isEqualTo("a' || chr(10) || 'b");
        assertThat(new MigrationSettings("u", "o", "p", "it's", "r", "x").toString()).doesNotContain("it's");
    }

    /**
     * The versions of the scripts that have been released: some database records each, so a new script below the
     * highest of them (a "V1_1 schema follow-up" below V4_6) would be out of order there, and Flyway (outOfOrder off)
     * refuses to validate or migrate it. A new script takes a version above all of these; add it here once released.
     */
    private static final List<String> RELEASED = List.of("1", "3.1", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6");

    @Test
    void everyScriptIsReleasedOrVersionedAboveEveryReleasedOne() throws IOException {
        List<MigrationVersion> released = RELEASED.stream().map(MigrationVersion::fromVersion).toList();
        MigrationVersion highest = released.stream().max(Comparator.naturalOrder()).orElseThrow();
        List<MigrationVersion> scripts = names("migration", "V").stream()
                .map(n -> MigrationVersion.fromVersion(n.substring(0, n.indexOf("__")).replace('_', '.'))).toList();

        assertThat(scripts).as("released scripts are never removed or renumbered").containsAll(released);
        assertThat(scripts).as("new scripts must take a version above V%s, the highest released one", highest)
                .filteredOn(v -> !released.contains(v) && !v.isNewerThan(highest)).isEmpty();
    }

    @Test
    void settingsPrintTheirUrlWithoutThePasswordItMayCarry() {
        var settings = new MigrationSettings("jdbc:postgresql://db.example.com/factory?user=o&password=s3cret", "o",
                "p", "w", "r", "x");
        assertThat(settings.toString()).contains("db.example.com/factory").doesNotContain("s3cret");
    }

    private static List<String> names(String dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(RESOURCES.resolve(dir))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix) && n.endsWith(".sql"))
                    .map(n -> n.substring(1)).toList();
        }
    }
}
