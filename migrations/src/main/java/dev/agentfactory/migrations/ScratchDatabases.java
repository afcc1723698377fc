package dev.agentfactory.migrations;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scratch databases {@code db validate} migrates to learn the expected schema, and the sweep of those a killed
 * validate left behind (SIGKILL skips the drop in its {@code finally}). A name carries its creation time by the
 * server's clock ({@code factory_validate_<epoch seconds>_<random>}), so every validate, on any machine, ages them
 * on one clock. The sweep drops only one that is older than {@link #STALE_AFTER} and has no session: a running
 * validate holds a session in its scratch database for nearly all of its life, and the age covers the moments it
 * does not (between CREATE DATABASE and Flyway's first connection, between the migration and the fingerprint).
 * The session check is PostgreSQL's own: a DROP DATABASE without FORCE refuses a database in use (55006), in the
 * same step as the drop, so a validate that connects between the look and the drop keeps its database.
 */
final class ScratchDatabases {

    static final String PREFIX = "factory_validate_";
    /** Far above a validate's scratch lifetime (seconds: an empty database migrated with a 10 s lock timeout). */
    static final Duration STALE_AFTER = Duration.ofHours(1);
    static final String NOW_SQL = "SELECT floor(extract(epoch FROM clock_timestamp()))::bigint";
    static final String LIST_SQL = "SELECT d.datname, (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)"
            + " FROM pg_database d WHERE d.datname LIKE 'factory\\_validate\\_%' ORDER BY d.datname";
    private static final Pattern DATED = Pattern.compile(PREFIX + "(\\d{1,12})_[0-9a-f]{12}");
    private static final Pattern UNDATED = Pattern.compile(PREFIX + "[0-9a-f]{12}");
    private static final String OBJECT_IN_USE = "55006";
    private static final String INVALID_CATALOG_NAME = "3F000";
    private static final String UNDEFINED_DATABASE = "3D000";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private ScratchDatabases() {
    }

    /** Creates a new scratch database through {@code admin} and returns its name. */
    static String create(Connection admin) throws SQLException {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String name = nameAt(now(admin), HexFormat.of().formatHex(random));
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    static String nameAt(long epochSecond, String random) {
        return PREFIX + epochSecond + "_" + random;
    }

    /**
     * Drops the scratch databases of validates that did not finish; returns one line for each database it dropped
     * or chose to keep although it may be a leftover (in use, not this role's, or named before names were dated).
     */
    static List<String> sweep(Connection admin) throws SQLException {
        long now = now(admin);
        List<String> lines = new ArrayList<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(LIST_SQL)) {
            while (rs.next()) {
                String line = consider(admin, rs.getString(1), rs.getLong(2), now);
                if (line != null) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    /** The line for one scratch database, dropping it if it is stale; {@code sessions} as the listing counted them. */
    static String consider(Connection admin, String name, long sessions, long now) {
        Matcher dated = DATED.matcher(name);
        if (!dated.matches()) {
            return UNDATED.matcher(name).matches() ? "kept " + name + ": a scratch database named before validate dated"
                    + " them, so its age is unknown; drop it once no validate runs: DROP DATABASE " + name : null;
        }
        Instant created = Instant.ofEpochSecond(Long.parseLong(dated.group(1)));
        Duration age = Duration.ofSeconds(now - created.getEpochSecond());
        if (age.compareTo(STALE_AFTER) < 0) {
            return null; // a running validate's, or a leftover the sweep of a later validate takes
        }
        String when = "created " + created + ", " + age.toMinutes() + " min ago";
        if (sessions > 0) {
            return "kept " + name + " (" + when + "): " + sessions + " session(s) still use it";
        }
        try (Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE " + name);
            return "swept " + name + ": the scratch database of a validate that did not finish (" + when + ", no sessions)";
        } catch (SQLException e) {
            return switch (e.getSQLState() == null ? "" : e.getSQLState()) {
                case OBJECT_IN_USE -> "kept " + name + " (" + when + "): a session connected to it meanwhile";
                case UNDEFINED_DATABASE, INVALID_CATALOG_NAME -> null; // another validate's sweep dropped it first
                case INSUFFICIENT_PRIVILEGE -> "kept " + name + " (" + when + "): another role owns it, and its"
                        + " validate sweeps it";
                default -> "kept " + name + " (" + when + "): " + e.getMessage();
            };
        }
    }

    private static long now(Connection admin) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement(NOW_SQL); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
