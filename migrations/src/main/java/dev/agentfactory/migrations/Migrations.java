package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
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
    /**
     * Flyway's PostgreSQL lock as a session-level advisory lock on the migration connection itself. With the default
     * transactional lock Flyway uses two connections: each script commits on one, its history row (and the lock)
     * on the other, so a kill between the two commits leaves a migration applied but unrecorded, and the next
     * migrate runs it again and fails. Session-level, Flyway uses one connection, and a script commits with its
     * history row. The key is the same ({@link Rollbacks#FLYWAY_LOCK_KEY}), and session- and transaction-level
     * advisory locks exclude each other, so a rollback still excludes a migrate.
     */
    static final Map<String, String> SESSION_LEVEL_LOCK = Map.of("flyway.postgresql.transactional.lock", "false");

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
        return configure(target).load();
    }

    FluentConfiguration configure(MigrationVersion target) {
        var config = Flyway.configure()
                .configuration(SESSION_LEVEL_LOCK) // first: the settings below stay as set, whatever it applies
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
        return config;
    }

    /** Applies pending migrations; returns how many were applied. */
    public int migrate() {
        return ConcurrentRoleUpdates.retry(() -> flyway().migrate().migrationsExecuted);
    }

    /** Applies pending migrations up to and including {@code version}. */
    public int migrateTo(String version) {
        MigrationVersion target = MigrationVersion.fromVersion(version);
        return ConcurrentRoleUpdates.retry(() -> flyway(target).migrate().migrationsExecuted);
    }

    /**
     * Applies every pending migration in ONE transaction and runs {@code step} inside it where the schema is at
     * {@code version}: before the first pending migration when the database is already there, else right after
     * migration {@code version}. Either everything (the step, the migrations and their history rows) commits or
     * nothing does; a migration that cannot run in a transaction is refused before anything runs. Refused when
     * the database is already past {@code version}. Returns the number of migrations applied.
     *
     * <p>Like {@link #migrate()}, a whole attempt that lost a role update to another database's migrator is run
     * again, so {@code step} may run more than once, each time in a new transaction after the previous one rolled
     * back (see {@link OneTransaction.Step}).
     */
    public int migrateInOneTransaction(String version, OneTransaction.Step step) {
        MigrationVersion at = MigrationVersion.fromVersion(version);
        // A new plan and hook per attempt: the failed attempt's transaction, the step's work in it included, is gone.
        return ConcurrentRoleUpdates.retry(() -> new OneTransaction(this, at, step).run());
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

    /**
     * Rolls back every applied migration newer than {@code version}, newest first, in one transaction; returns
     * the scripts run. Refuses when a script would drop a table that holds rows.
     */
    public List<String> rollbackTo(String version) {
        return rollbackTo(version, false);
    }

    /** {@link #rollbackTo(String)}; {@code dropData} lets the scripts drop tables that hold rows. */
    public List<String> rollbackTo(String version, boolean dropData) {
        return new Rollbacks(this).rollbackTo(MigrationVersion.fromVersion(version), dropData);
    }

    /** Realigns recorded checksums with the scripts and removes failed entries (Flyway repair). */
    public RepairResult repair() {
        return flyway().repair();
    }

    /** Past rollbacks, oldest first, one line each (none when nothing was ever rolled back). */
    public List<String> rollbackHistory() {
        try (Connection c = connect(); var st = c.createStatement()) {
            var exists = st.executeQuery("SELECT to_regclass('" + HISTORY_SCHEMA + ".rollback_history') IS NOT NULL");
            exists.next();
            if (!exists.getBoolean(1)) {
                return List.of();
            }
            var rs = st.executeQuery("SELECT version, script, rolled_back_by, rolled_back_at FROM "
                    + HISTORY_SCHEMA + ".rollback_history ORDER BY id");
            List<String> lines = new java.util.ArrayList<>();
            while (rs.next()) {
                lines.add("V" + rs.getString(1) + " rolled back by " + rs.getString(3) + " at " + rs.getString(4)
                        + " (" + rs.getString(2) + ")");
            }
            return lines;
        } catch (SQLException e) {
            throw new MigrationException("cannot read the rollback history: " + e.getMessage(), e);
        }
    }

    /** The live fingerprint of the factory schema. */
    public CatalogFingerprint fingerprint() {
        try (Connection c = connect()) {
            return CatalogFingerprint.of(c, SCHEMA);
        } catch (SQLException e) {
            throw new MigrationException("cannot read the catalog of " + JdbcUrls.redacted(settings.url()) + ": " + e.getMessage(), e);
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    }
}
