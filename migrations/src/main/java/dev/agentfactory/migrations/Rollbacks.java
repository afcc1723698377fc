package dev.agentfactory.migrations;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

/**
 * {@code db rollback --to V}: runs the paired {@code db/rollback/U<v>__<same description>.sql} of every
 * applied migration newer than V, newest first, all in ONE transaction together with removing each migration
 * from Flyway's history and recording it in {@code factory_migrations.rollback_history}: the database ends at
 * V or stays where it was, never at a version in between that nobody asked for. What to undo is read after
 * Flyway's own lock is taken, so neither a racing rollback nor a racing migrate interleaves with it. All scripts are found
 * and checked before the first one runs.
 */
final class Rollbacks {

    static final String ROLLBACK_LOCATION = "db/rollback/";
    /**
     * The advisory lock Flyway's PostgreSQL support takes around migrate and repair: its base number plus the hash
     * of the history table's quoted name (flyway-database-postgresql, PostgreSQLConnection.lock). Holding it makes
     * a rollback exclude other rollbacks AND migrators (a deploy job's `db migrate`), which would otherwise
     * interleave with it and leave a history with a hole (V4_4 applied over a rolled-back V4_3). Flyway holds it
     * session-level ({@link Migrations#SESSION_LEVEL_LOCK}), this transaction-level: PostgreSQL's two kinds of
     * advisory lock share one key space, so each waits for the other.
     */
    static final long FLYWAY_LOCK_KEY = 77431708279161L
            + ("\"" + Migrations.HISTORY_SCHEMA + "\".\"" + Migrations.HISTORY_TABLE + "\"").hashCode();

    private static final String CREATE_RECORD = """
            CREATE TABLE IF NOT EXISTS factory_migrations.rollback_history (
                id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                version        text        NOT NULL,
                description    text        NOT NULL,
                script         text        NOT NULL,
                checksum       integer,
                rolled_back_by text        NOT NULL DEFAULT current_user,
                rolled_back_at timestamptz NOT NULL DEFAULT now())
            """;
    private static final String FORGET_MIGRATION =
            "DELETE FROM factory_migrations.flyway_schema_history WHERE version = ?";
    private static final String RECORD_ROLLBACK = """
            INSERT INTO factory_migrations.rollback_history (version, description, script, checksum)
            VALUES (?, ?, ?, ?)
            """;

    private final Migrations migrations;

    Rollbacks(Migrations migrations) {
        this.migrations = migrations;
    }

    /**
     * @param dropData allow a rollback whose scripts drop tables that hold rows (U1 the whole schema, U3_1 the
     *                 relay's offsets, U4_5 the standby's purge floors), which no later migrate brings back; a
     *                 rollback that would drop objects outside the schema is refused all the same
     */
    List<String> rollbackTo(MigrationVersion target, boolean dropData) {
        return ConcurrentRoleUpdates.retry(() -> inOneTransaction(target, dropData));
    }

    private List<String> inOneTransaction(MigrationVersion target, boolean dropData) {
        try (Connection c = migrations.connect()) {
            c.setAutoCommit(false);
            Step failed = null;
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '10s'");
                st.execute("SELECT pg_advisory_xact_lock(" + FLYWAY_LOCK_KEY + ")");
                List<Step> steps = steps(target);
                for (Step step : steps) {
                    refuseToDropObjectsOutside(c, target, step, false);
                }
                if (!dropData) {
                    refuseToDropRows(c, target, steps);
                }
                st.execute(CREATE_RECORD);
                for (Step step : steps) {
                    failed = step;
                    refuseToDropObjectsOutside(c, target, step, true);
                    run(c, st, step);
                }
                c.commit();
                return steps.stream().map(Step::script).toList();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException lost) {
                    e.addSuppressed(lost); // a broken connection: the server rolls back; keep the cause
                }
                if (failed == null || e instanceof MigrationException) {
                    throw e;
                }
                throw new MigrationException(failed.script() + " failed, so nothing was rolled back; the database"
                        + " stays at " + versionOrUnknown() + ": " + e.getMessage(), e);
            }
        } catch (SQLException e) {
            throw new MigrationException("rollback failed, nothing was rolled back: " + e.getMessage(), e);
        }
    }

    private List<Step> steps(MigrationVersion target) {
        List<MigrationInfo> known = migrations.info();
        // A target no migration has (a typo, "3" for 3.1) would undo more than asked and report a version that
        // does not exist; only 0 (empty) or a real migration's version is a place to roll back to.
        if (target.compareTo(MigrationVersion.fromVersion("0")) != 0
                && known.stream().noneMatch(m -> target.equals(m.getVersion()))) {
            throw new MigrationException("no migration V" + target + " (known: " + known.stream()
                    .filter(m -> m.getVersion() != null).map(m -> m.getVersion().getVersion())
                    .distinct().toList() + ", or 0 for empty); nothing was rolled back");
        }
        List<MigrationInfo> toUndo = known.stream()
                .filter(MigrationInfo::isApplied)
                .filter(MigrationInfo::isVersioned)
                .filter(m -> m.getScript().endsWith(".sql")) // not Flyway's schema-creation marker
                .filter(m -> m.getVersion().isNewerThan(target))
                .sorted(Comparator.comparing(MigrationInfo::getVersion).reversed())
                .toList();
        List<Step> steps = new ArrayList<>();
        // Once per rollback: each computes three SCRAM verifiers (4096 iterations each).
        Map<String, String> placeholders = migrations.settings().placeholders();
        for (MigrationInfo m : toUndo) {
            if (!m.isChecksumMatching()) {
                throw new MigrationException("V" + m.getVersion() + " was changed after it was applied (checksum "
                        + m.getAppliedChecksum() + " recorded, " + m.getResolvedChecksum() + " on disk); its rollback"
                        + " script may not match what ran. Check, then `db repair` before rolling back.");
            }
            String script = "U" + m.getScript().substring(1);
            steps.add(new Step(m, script, load(script, placeholders)));
        }
        return steps;
    }

    /** The version to name in a failure message; reading it must not replace the failure's own cause. */
    private String versionOrUnknown() {
        try {
            return "V" + migrations.currentVersion();
        } catch (RuntimeException e) {
            return "the version it had (unreadable now: " + e.getMessage() + ")";
        }
    }

    /**
     * Any table a script drops that holds rows, not only the entities: U1 also takes the stored outcomes and the
     * worker's offsets, U3_1 the relay's offsets (after a re-migrate the relay snapshots and republishes every
     * row), U4_5 the standby's purge floors. None of it comes back with a later migrate. The tables are locked
     * against writes as they are counted, in this transaction, so none gains a row before its script drops it.
     */
    private static void refuseToDropRows(Connection c, MigrationVersion target, List<Step> steps) throws SQLException {
        List<String> withRows = DroppedData.holdingRows(c, steps.stream().map(Step::sql).toList());
        if (!withRows.isEmpty()) {
            throw new MigrationException("rolling back to V" + target + " drops tables that hold rows: "
                    + String.join(", ", withRows) + "; nothing was rolled back (add --drop-data to drop them with it)");
        }
    }

    /**
     * A script that drops a schema ({@code DROP SCHEMA factory CASCADE}, U1) would take with it every object outside
     * that schema that depends on one inside (a user's view in {@code public} over {@code factory.agents}): refused,
     * naming them, with or without {@code --drop-data}, which is about our rows, not others' objects. Checked before
     * anything runs, so a refusal is quick and changes nothing, then again right before the script, with the
     * schema's tables locked as its drop will lock them: a view or foreign key built meanwhile (the scripts before
     * it may run for minutes) is seen there instead of going with the schema unasked. (A function created in the
     * milliseconds between that check and the drop, with a factory type in its signature, locks no table and would
     * still go: PostgreSQL has no lock on a type to take.)
     */
    private static void refuseToDropObjectsOutside(Connection c, MigrationVersion target, Step step, boolean beforeDrop)
            throws SQLException {
        for (String schema : ScriptDrops.schemas(step.sql())) {
            if (beforeDrop) {
                OutsideDependents.lockTables(c, schema);
            }
            List<String> dependents = OutsideDependents.of(c, schema);
            if (!dependents.isEmpty()) {
                throw new MigrationException("rolling back to V" + target + " runs " + step.script() + ", whose"
                        + " DROP SCHEMA " + schema + " would also drop these objects outside " + schema + " that depend"
                        + " on it: " + String.join(", ", dependents) + "; nothing was rolled back. Drop them (and what"
                        + " depends on them) or redefine them without " + schema + "'s objects first, then roll back"
                        + " again (--drop-data does not drop them)");
            }
        }
    }

    private static void run(Connection c, Statement st, Step step) throws SQLException {
        st.execute(step.sql());
        try (PreparedStatement forget = c.prepareStatement(FORGET_MIGRATION);
             PreparedStatement record = c.prepareStatement(RECORD_ROLLBACK)) {
            forget.setString(1, step.migration().getVersion().getVersion());
            if (forget.executeUpdate() != 1) {
                throw new SQLException("V" + step.migration().getVersion() + " is no longer in the history");
            }
            record.setString(1, step.migration().getVersion().getVersion());
            record.setString(2, step.migration().getDescription());
            record.setString(3, step.script());
            record.setObject(4, step.migration().getAppliedChecksum());
            record.executeUpdate();
        }
    }

    private static String load(String script, Map<String, String> placeholders) {
        try (InputStream in = Rollbacks.class.getClassLoader().getResourceAsStream(ROLLBACK_LOCATION + script)) {
            if (in == null) {
                throw new MigrationException("no rollback script " + ROLLBACK_LOCATION + script
                        + ": every V script needs its paired U script; nothing was rolled back");
            }
            return MigrationSettings.withPlaceholders(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    placeholders);
        } catch (IOException e) {
            throw new MigrationException("cannot read " + script + ": " + e.getMessage(), e);
        }
    }

    private record Step(MigrationInfo migration, String script, String sql) {
    }
}
