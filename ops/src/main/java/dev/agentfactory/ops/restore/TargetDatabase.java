package dev.agentfactory.ops.restore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.store.replica.TableSpec;

/**
 * The database a restore writes into: created when it does not exist (and then dropped again if the restore
 * fails, so nothing half-restored is left), refused when its factory tables already hold rows.
 */
final class TargetDatabase {

    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]+)(\\?.*)?");

    private final OpsSettings settings;
    private final String url;
    private final String name;
    private final String maintenanceUrl;
    private boolean created;

    TargetDatabase(OpsSettings settings, String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new OpsException("cannot read the database name from " + url);
        }
        this.settings = settings;
        this.url = url;
        this.name = m.group(2);
        this.maintenanceUrl = m.group(1) + "postgres" + (m.group(3) == null ? "" : m.group(3));
    }

    String url() {
        return url;
    }

    /** Creates the database unless it exists; refuses one whose factory tables are not empty. */
    void prepare() throws SQLException {
        try (Connection c = settings.connect(maintenanceUrl); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '"
                    + name.replace("'", "''") + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
                    created = true;
                    return;
                }
            }
        }
        try (Connection c = settings.connect(url); Statement st = c.createStatement()) {
            for (TableSpec t : TableSpec.FACTORY) {
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + t.qualified() + "') IS NOT NULL "
                        + "AND EXISTS (SELECT 1 FROM " + t.qualified() + ")")) {
                    if (rs.next() && rs.getBoolean(1)) {
                        throw new OpsException("target " + url + " is not empty: " + t.qualified()
                                + " has rows; restore only into an empty database or a new one");
                    }
                }
            }
        } catch (SQLException e) {
            // 42P01 undefined table, 3F000 undefined schema: a database the migrations have not touched yet
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /** After a failed restore: drops the database if this restore created it. */
    void discard() {
        if (!created) {
            return;
        }
        try (Connection c = settings.connect(maintenanceUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name.replace("\"", "\"\"") + "\" WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop the partly restored database " + name + ": " + e.getMessage());
        }
    }
}
