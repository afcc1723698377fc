package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.TreeSet;

import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * Validates a database in two steps: Flyway's checksums (was a script changed after it was applied?),
 * then the live catalog against a scratch database on the same server migrated to the same version
 * (was the schema changed by hand?). Comparing with a real migration rather than a stored snapshot
 * keeps the expectation exact for every PostgreSQL version and needs no upkeep when migrations are added.
 * Each run first sweeps the scratch databases that killed runs left behind.
 */
final class SchemaValidator {

    private final Migrations migrations;

    SchemaValidator(Migrations migrations) {
        this.migrations = migrations;
    }

    ValidationReport validate() {
        List<String> sweep = sweepLeftovers();
        // A pending migration is not a defect of the database (`db info` and `db migrate` deal with it): the
        // checksums of what is applied and the schema at the applied version are what validate checks.
        ValidateResult result = migrations.configure(null).ignoreMigrationPatterns("*:future", "*:pending").load()
                .validateWithResult();
        List<String> checksumProblems = result.validationSuccessful ? List.of()
                : result.invalidMigrations.stream()
                        .map(m -> "V" + m.version + " " + m.description + ": " + m.errorDetails.errorMessage)
                        .toList();
        if (!result.validationSuccessful && checksumProblems.isEmpty()) {
            checksumProblems = List.of(result.getAllErrorMessages());
        }
        MigrationVersion current = migrations.currentVersion();
        CatalogFingerprint expected = current == null ? new CatalogFingerprint(new TreeSet<>())
                : expectedAt(current);
        List<String> differences = expected.differences(migrations.fingerprint());
        List<String> pending = migrations.info().stream().filter(m -> m.getState() == MigrationState.PENDING)
                .map(m -> "V" + m.getVersion()).toList();
        return new ValidationReport(current == null ? "none" : current.getVersion(), checksumProblems, differences,
                pending, sweep);
    }

    /** Scratch databases of validates that were killed before they could drop theirs (see ScratchDatabases). */
    private List<String> sweepLeftovers() {
        try (Connection admin = migrations.connect()) {
            return ScratchDatabases.sweep(admin);
        } catch (SQLException e) {
            throw new MigrationException("cannot look for scratch databases left by earlier validates on "
                    + JdbcUrls.redacted(JdbcUrls.withDatabase(migrations.settings().url(), "")) + ": " + e.getMessage(), e);
        }
    }

    private CatalogFingerprint expectedAt(MigrationVersion version) {
        MigrationSettings live = migrations.settings();
        try (Connection admin = migrations.connect(); Statement st = admin.createStatement()) {
            String scratch = ScratchDatabases.create(admin);
            try {
                Migrations scratchMigrations = new Migrations(live.withUrl(JdbcUrls.withDatabase(live.url(), scratch)));
                scratchMigrations.migrateTo(version.getVersion());
                return scratchMigrations.fingerprint();
            } finally {
                st.execute("DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            throw new MigrationException("cannot build the expected schema in a scratch database (the migration owner"
                    + " needs CREATEDB on " + JdbcUrls.redacted(JdbcUrls.withDatabase(live.url(), "")) + "): " + e.getMessage(), e);
        }
    }
}
