package dev.agentfactory.migrations;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies the factory schema's Flyway migrations; the one entry point for apps, tests and {@code bin/db}. */
public final class Migrations {

    /** Where the forward scripts live on the class path. */
    public static final String LOCATION = "classpath:db/migration";

    private final MigrationSettings settings;

    public Migrations(MigrationSettings settings) {
        this.settings = settings;
    }

    Flyway flyway() {
        return Flyway.configure()
                .dataSource(settings.url(), settings.user(), settings.password())
                .locations(LOCATION)
                .schemas("factory")
                .createSchemas(true)
                .table("flyway_schema_history")
                .placeholders(settings.placeholders())
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                .load();
    }

    /** Applies pending migrations; returns how many were applied. */
    public int migrate() {
        MigrateResult result = flyway().migrate();
        return result.migrationsExecuted;
    }
}
