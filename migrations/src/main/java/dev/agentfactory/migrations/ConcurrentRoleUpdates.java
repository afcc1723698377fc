package dev.agentfactory.migrations;

import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * Retries work that failed because another database of the same cluster updated the same role at the same time.
 * Roles are cluster-wide and V1 (every run) and V4_1 alter them, but Flyway's advisory lock is scoped to one
 * database, so two migrators of different databases (a service's and {@code db validate}'s scratch database,
 * two services, parallel test suites) can write the same catalog row. PostgreSQL updates catalog rows without
 * row locks: the second writer waits for the first to commit, then fails with "tuple concurrently updated"
 * (XX000). The failed migration rolled back whole (PostgreSQL's DDL is transactional), so running it again is
 * safe and then sees the committed row. The same holds for {@link OneTransaction}'s unit (migrations and a
 * restore's load in one transaction), which is retried whole.
 */
final class ConcurrentRoleUpdates {

    private static final int ATTEMPTS = 5;

    private ConcurrentRoleUpdates() {
    }

    static <T> T retry(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS || !causedByConcurrentCatalogUpdate(e)) {
                    throw e;
                }
                pause(100L * attempt);
            }
        }
    }

    static boolean causedByConcurrentCatalogUpdate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "XX000".equals(s.getSQLState()) && s.getMessage() != null
                    && s.getMessage().contains("tuple concurrently updated")) {
                return true;
            }
        }
        return false;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted while retrying after a concurrent role update", e);
        }
    }
}
