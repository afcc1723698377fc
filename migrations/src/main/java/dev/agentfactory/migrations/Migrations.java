package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.RepairResult;

/**
 * The factory schema's migrations: the one entry point for apps, tests and {@code bin/db}. Flyway's
 * history lives in its own schema ({@value #HISTORY_SCHEMA}) so that rolling the {@code factory}
 * schema back to nothing keeps the record of what happened, and so a publication over {@code factory}
 * never streams Flyway's bookkeeping.
 */
public final class Migrations {

    /** Where the forward scripts live on the class path. */
    public static final String LOCATION = "classpath:db/migration";
    /** The schema the migrations own. */
    public static final String SCHEMA = "factory";
    /** Flyway's history table and the rollback record. */
    public static final String HISTORY_SCHEMA = "factory_migrations";
    static final String HISTORY_TABLE = "flyway_schema_history";

    private final MigrationSettings settings;

    public Migrations(MigrationSettings settings) {
        this.settings = settings;
    }

    MigrationSettings settings() {
        return settings;
    }

    Flyway flyway() {
        return flyway(null);
    }

    Flyway flyway(MigrationVersion target) {
        var config = Flyway.configure()
                .dataSource(settings.url(), settings.user(), settings.password())
                .locations(LOCATION)
                .schemas(HISTORY_SCHEMA)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .placeholders(settings.placeholders())
                .validateMigrationNaming(true)
                // Never queue behind a long transaction holding locks the DDL needs; fail and retry instead.
                .initSql("SET lock_timeout = '10s'")
                .cleanDisabled(true);
        if (target != null) {
            config.target(target);
        }
        return config.load();
    }

    /** Applies pending migrations; returns how many were applied. */
    public int migrate() {
        return flyway().migrate().migrationsExecuted;
    }

    /** Applies pending migrations up to and including {@code version}. */
    public int migrateTo(String version) {
        return flyway(MigrationVersion.fromVersion(version)).migrate().migrationsExecuted;
    }

    /** Every known migration, applied or pending, in order. */
    public List<MigrationInfo> info() {
        return List.of(flyway().info().all());
    }

    /** The newest applied version, or null when none is applied. */
    public MigrationVersion currentVersion() {
        MigrationInfo current = flyway().info().current();
        return current == null ? null : current.getVersion();
    }

    /** Checksums against the scripts, then the live catalog against a scratch database at the same version. */
    public ValidationReport validate() {
        return new SchemaValidator(this).validate();
    }

    /** Rolls back every applied migration newer than {@code version}, newest first; returns the scripts run. */
    public List<String> rollbackTo(String version) {
        return new Rollbacks(this).rollbackTo(MigrationVersion.fromVersion(version));
    }

    /** Realigns recorded checksums with the scripts and removes failed entries (Flyway repair). */
    public RepairResult repair() {
        return flyway().repair();
    }

    /** The live fingerprint of the factory schema. */
    public CatalogFingerprint fingerprint() {
        try (Connection c = connect()) {
            return CatalogFingerprint.of(c, SCHEMA);
        } catch (SQLException e) {
            throw new MigrationException("cannot read the catalog of " + settings.url() + ": " + e.getMessage(), e);
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    }
}
