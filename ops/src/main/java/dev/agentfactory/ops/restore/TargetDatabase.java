package dev.agentfactory.ops.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

import org.flywaydb.core.api.MigrationVersion;

import dev.agentfactory.migrations.JdbcUrls;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.store.replica.TableSpec;

/**
 * The database a restore writes into: created when it does not exist (and then dropped again if the restore
 * fails, so nothing half-restored is left), refused when its factory tables already hold rows or its schema is
 * newer than the backup's. After a failure it puts a pre-existing target back as far as the restore's single
 * transaction does not (Flyway creates its history schema before that transaction) and says, checked against
 * the catalog, which state the target is in and, should it not be the one found, the command that recovers it.
 */
final class TargetDatabase {

    /** Where the target is created and dropped (a session cannot drop its own database); every cluster has it. */
    static final String MAINTENANCE_DATABASE = "postgres";
    static final String EXISTS_SQL = "SELECT 1 FROM pg_database WHERE datname = ?";
    static final String HISTORY_SCHEMA_EXISTS_SQL = "SELECT to_regnamespace('" + Migrations.HISTORY_SCHEMA
            + "') IS NOT NULL";
    /** Rows other than Flyway's schema-creation marker: a history this restore did not write alone. */
    static final String HISTORY_RECORDS_SQL = "SELECT count(*) FROM " + Migrations.HISTORY_SCHEMA
            + ".flyway_schema_history WHERE type <> 'SCHEMA'";
    static final String DROP_HISTORY_SCHEMA_SQL = "DROP SCHEMA " + Migrations.HISTORY_SCHEMA + " CASCADE";

    private final OpsSettings settings;
    private final String url;
    private final String shown; // the URL as messages print it, with any password masked
    private final String name;
    private final String maintenanceUrl;
    private final Migrations migrations;
    private boolean created;
    private boolean historySchemaExisted;
    private MigrationVersion priorVersion;

    TargetDatabase(OpsSettings settings, String url, Migrations migrations) {
        this.settings = settings;
        this.url = url;
        this.shown = JdbcUrls.redacted(url);
        this.name = databaseOf(url);
        this.maintenanceUrl = JdbcUrls.withDatabase(url, MAINTENANCE_DATABASE);
        this.migrations = migrations;
    }

    /** The target's name, which a restore needs spelled out: pgjdbc would otherwise take the user's name. */
    static String databaseOf(String url) {
        String database;
        try {
            database = JdbcUrls.database(url);
        } catch (IllegalArgumentException e) {
            throw new OpsException("cannot read the database name: " + e.getMessage(), e);
        }
        if (database.isEmpty()) {
            throw new OpsException("cannot read the database name from " + JdbcUrls.redacted(url)
                    + ": name it, as in jdbc:postgresql://host:5432/factory?sslmode=verify-full");
        }
        return database;
    }

    String name() {
        return name;
    }

    String maintenanceUrl() {
        return maintenanceUrl;
    }

    /** Creates the database unless it exists; refuses one whose factory tables are not empty. */
    void prepare() throws SQLException {
        try (Connection c = settings.connect(maintenanceUrl); PreparedStatement ps = c.prepareStatement(EXISTS_SQL)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    try (Statement st = c.createStatement()) {
                        st.execute("CREATE DATABASE " + quoted());
                    }
                    created = true;
                    return;
                }
            }
        }
        try (Connection c = settings.connect(url)) {
            String full = tableWithRows(c);
            if (full != null) {
                throw new OpsException("target " + shown + " is not empty: " + full
                        + " has rows; restore only into an empty database or a new one");
            }
            historySchemaExisted = historySchemaExists(c);
        }
        priorVersion = migrations.currentVersion();
    }

    /** A pre-existing target already past the backup's schema cannot take its rows as they were taken. */
    void refuseIfPast(MigrationVersion backupVersion) {
        if (priorVersion != null && priorVersion.isNewerThan(backupVersion)) {
            throw new OpsException("target " + shown + " is at schema version " + priorVersion + ", newer than the "
                    + "backup's " + backupVersion + ": the rows must be loaded at " + backupVersion + " and then "
                    + "migrated; restore into a new database, or first roll the empty target back with: "
                    + recovery(backupVersion));
        }
    }

    /**
     * After a failed restore: drops the database if this restore created it; otherwise removes the history
     * schema Flyway created for it, and reports the target's state as the catalog shows it.
     */
    String afterFailure() {
        if (created) {
            try (Connection c = settings.connect(maintenanceUrl); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + quoted() + " WITH (FORCE)");
                return "the database " + name + " this restore created was dropped";
            } catch (SQLException e) {
                return "the database " + name + " this restore created could not be dropped (" + e.getMessage()
                        + "); drop it with: DROP DATABASE " + quoted() + " WITH (FORCE)";
            }
        }
        try (Connection c = settings.connect(url)) {
            if (!historySchemaExisted && historySchemaExists(c)) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(HISTORY_RECORDS_SQL)) {
                    if (rs.next() && rs.getLong(1) == 0) {
                        st.execute(DROP_HISTORY_SCHEMA_SQL);
                    }
                }
            }
            MigrationVersion now = migrations.currentVersion();
            String full = tableWithRows(c);
            if (Objects.equals(now, priorVersion) && full == null
                    && historySchemaExists(c) == historySchemaExisted) {
                return "target " + shown + " is as the restore found it: " + describe(priorVersion)
                        + ", no rows (nothing of this restore was committed)";
            }
            return "target " + shown + " is NOT as the restore found it: now " + describe(now)
                    + (full == null ? "" : ", " + full + " has rows") + ", it was " + describe(priorVersion)
                    + "; recover it with: " + recovery(priorVersion);
        } catch (RuntimeException | SQLException e) {
            return "the state of target " + shown + " could not be read (" + e.getMessage()
                    + "); it was " + describe(priorVersion) + " and empty; check it with: FACTORY_DB_URL='"
                    + shown + "' bin/db info";
        }
    }

    private static String describe(MigrationVersion v) {
        return v == null ? "at no schema version" : "at schema version " + v;
    }

    private String recovery(MigrationVersion v) {
        return "FACTORY_DB_URL='" + shown + "' bin/db rollback --to " + (v == null ? "0" : v.getVersion());
    }

    private String quoted() {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static boolean historySchemaExists(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(HISTORY_SCHEMA_EXISTS_SQL)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** The first factory table that holds rows, or null; a table the migrations have not created is empty. */
    private static String tableWithRows(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (TableSpec t : TableSpec.FACTORY) {
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + t.qualified() + "') IS NOT NULL "
                        + "AND EXISTS (SELECT 1 FROM " + t.qualified() + ")")) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return t.qualified();
                    }
                }
            }
        } catch (SQLException e) {
            // 42P01 undefined table, 3F000 undefined schema: a database the migrations have not touched yet
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e;
            }
        }
        return null;
    }
}
