package dev.agentfactory.migrations;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

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
 * in one transaction; its PostgreSQL lock is made session-level so that Flyway uses that same connection for
 * its history rows (with the default transactional lock they go through a second connection and would commit
 * on their own). The step runs from a callback on the migration connection, inside the group's transaction.
 */
public final class OneTransaction {

    /** Work done inside the transaction on its connection; must neither commit nor roll back. */
    @FunctionalInterface
    public interface Step {
        void run(Connection transaction) throws Exception;
    }

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
        Flyway flyway = migrations.configure(null).group(true)
                .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                .callbacks(new Hook(atVersion)).load();
        List<MigrationInfo> pending = List.of(flyway.info().pending());
        if (!atVersion && pending.stream().noneMatch(m -> version.equals(m.getVersion()))) {
            throw new MigrationException("no pending migration V" + version + " (the database is at "
                    + (current == null ? "no version" : "V" + current) + ")");
        }
        if (pending.isEmpty()) {
            return alone();
        }
        try {
            return flyway.migrate().migrationsExecuted;
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

    /** Nothing to migrate: the step in a transaction of its own. */
    private int alone() {
        try (Connection c = migrations.connect()) {
            c.setAutoCommit(false);
            try {
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
        private boolean ran;

        Hook(boolean atVersion) {
            this.atVersion = atVersion;
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
