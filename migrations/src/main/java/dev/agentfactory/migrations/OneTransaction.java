package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * The pending migrations and a step of the caller's (a restore's row load) as one PostgreSQL transaction, so a
 * failure anywhere leaves the database exactly as it was. Flyway's {@code group} runs every pending migration
 * in one transaction; its PostgreSQL lock is session-level ({@link Migrations#SESSION_LEVEL_LOCK}), so Flyway uses
 * that same connection for its history rows (with the default transactional lock they go through a second
 * connection and would commit on their own). The step runs from a callback on the migration connection, inside
 * the group's transaction.
 *
 * <p>Because the unit is one transaction, a failure leaves nothing of it behind, so {@link Migrations} retries the
 * whole unit (plan, migrations and step) on the cluster-wide role race as it retries plain migrations. What is
 * not rolled back cannot be doubled by a retry either: Flyway's history schema (created before the transaction,
 * and reused) and sequences moved by {@code setval}, which a retried restore sets to the same absolute value.
 */
public final class OneTransaction {

    /**
     * Work done inside the transaction on its connection; must neither commit nor roll back. It may run again in
     * a later transaction when an attempt loses a concurrent role update (see {@link ConcurrentRoleUpdates}), so it
     * must read its input afresh on each run and do nothing outside the transaction that a second run would not
     * set right (an absolute {@code setval} is fine; a Kafka send or a file deletion is not).
     */
    @FunctionalInterface
    public interface Step {
        void run(Connection transaction) throws Exception;
    }

    private static final String LOCK_HISTORY =
            "LOCK TABLE " + Migrations.HISTORY_SCHEMA + "." + Migrations.HISTORY_TABLE + " IN SHARE MODE";
    private static final String LATEST_VERSION = "SELECT version FROM " + Migrations.HISTORY_SCHEMA + "."
            + Migrations.HISTORY_TABLE + " WHERE success AND version IS NOT NULL AND type <> 'SCHEMA'"
            + " ORDER BY installed_rank DESC LIMIT 1";

    private final Migrations migrations;
    private final MigrationVersion version;
    private final Step step;

    OneTransaction(Migrations migrations, MigrationVersion version, Step step) {
        this.migrations = migrations;
        this.version = version;
        this.step = step;
    }

    int run() {
        MigrationVersion current = migrations.currentVersion();
        if (current != null && current.isNewerThan(version)) {
            throw new MigrationException("the database is at V" + current + ", past V" + version
                    + ": the step must run at V" + version);
        }
        boolean atVersion = version.equals(current);
        List<MigrationInfo> pending = List.of(migrations.flyway().info().pending());
        if (!atVersion && pending.stream().noneMatch(m -> version.equals(m.getVersion()))) {
            throw new MigrationException("no pending migration V" + version + " (the database is at "
                    + (current == null ? "no version" : "V" + current) + ")");
        }
        if (pending.isEmpty()) {
            return alone();
        }
        // The plan above was read before Flyway takes its lock: another migrator (a second job execution) may
        // apply migrations in between. The hook checks that Flyway starts where the plan did.
        Hook hook = new Hook(atVersion, pending.get(0).getVersion());
        // configure() makes the lock session-level, so the group's history rows share its one transaction.
        Flyway flyway = migrations.configure(null).group(true).callbacks(hook).load();
        try {
            int applied = flyway.migrate().migrationsExecuted;
            if (!hook.ran) {
                // Only when nothing ran: the hook refuses any other start before the first statement.
                throw movedMeanwhile();
            }
            return applied;
        } catch (FlywayException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StepFailure f) {
                    throw f.getCause() instanceof RuntimeException r ? r
                            : new MigrationException(f.getCause().getMessage(), f.getCause());
                }
            }
            throw e;
        }
    }

    private MigrationException movedMeanwhile() {
        return new MigrationException("another migrator changed the database while this one waited for Flyway's lock,"
                + " so it is no longer where the step of V" + version + " must run; nothing was applied");
    }

    /** Nothing to migrate: the step in a transaction of its own, once the history shows it is still at version. */
    private int alone() {
        try (Connection c = migrations.connect()) {
            c.setAutoCommit(false);
            try {
                // SHARE holds off Flyway's history inserts until this transaction ends, so the version read here
                // stays true while the step runs.
                try (Statement st = c.createStatement()) {
                    st.execute(LOCK_HISTORY);
                    try (ResultSet rs = st.executeQuery(LATEST_VERSION)) {
                        if (!rs.next() || !version.equals(MigrationVersion.fromVersion(rs.getString(1)))) {
                            throw movedMeanwhile();
                        }
                    }
                }
                step.run(c);
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
            return 0;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new MigrationException(e.getMessage(), e);
        }
    }

    /** Carries the step's own exception through Flyway's wrapping. */
    private static final class StepFailure extends RuntimeException {
        StepFailure(Exception cause) {
            super(cause);
        }
    }

    private final class Hook implements Callback {

        private final boolean atVersion;
        private final MigrationVersion plannedFirst;
        private boolean started;
        private boolean ran;

        Hook(boolean atVersion, MigrationVersion plannedFirst) {
            this.atVersion = atVersion;
            this.plannedFirst = plannedFirst;
        }

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try {
                Connection c = context.getConnection();
                if (event == Event.BEFORE_EACH_MIGRATE) {
                    // Flyway runs a group outside a transaction when one of its migrations cannot run inside one
                    // (CREATE INDEX CONCURRENTLY ...): refuse before the first statement rather than lose atomicity.
                    if (c.getAutoCommit()) {
                        throw new StepFailure(new MigrationException("V" + context.getMigrationInfo().getVersion() + " (or another "
                                + "pending migration) cannot run in a transaction, so the migrations cannot be applied "
                                + "in one; nothing was applied"));
                    }
                    if (!started && !plannedFirst.equals(context.getMigrationInfo().getVersion())) {
                        throw new StepFailure(movedMeanwhile());
                    }
                    started = true;
                    if (atVersion && !ran) {
                        runStep(c);
                    }
                } else if (!ran && version.equals(context.getMigrationInfo().getVersion())) {
                    runStep(c);
                }
            } catch (StepFailure e) {
                throw e;
            } catch (Exception e) {
                throw new StepFailure(e);
            }
        }

        private void runStep(Connection c) {
            ran = true;
            try {
                step.run(c);
            } catch (Exception e) {
                throw new StepFailure(e);
            }
        }

        @Override
        public String getCallbackName() {
            return "one-transaction-step";
        }
    }
}
