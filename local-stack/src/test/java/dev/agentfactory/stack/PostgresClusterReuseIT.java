package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * A private cluster (own data directory under target/, free port): a stack process that starts again after a
 * crash reuses its own still-running PostgreSQL rather than refusing the port it holds.
 */
class PostgresClusterReuseIT {

    @Test
    void aClusterStillRunningFromItsDataDirectoryIsReused() throws Exception {
        Path root = Path.of("target", "private-pg-reuse").toAbsolutePath();
        int port = FreePorts.take();
        StackSettings shared = StackSettings.fromEnvironment();
        StackSettings settings = new StackSettings(root, 1, 2, port, 4, 5, 6, "factory", shared.superuser(),
                shared.superuserPassword(), shared.pgOsUser());
        LocalStack owner = new LocalStack(settings); // resolves the OS user PostgreSQL runs as
        PostgresCluster cluster = new PostgresCluster("primary", PgDataLocation.choose(owner.settings())
                .resolve("pg-reuse"), port, owner.settings());
        PostgresCluster.deleteRecursively(cluster.dataDir());
        try {
            cluster.ensureStarted();
            assertThat(Ports.isOpen(port)).isTrue();
            cluster.ensureStarted(); // as the next stack process does: no error, no second server
            try (var c = cluster.connect("factory")) {
                assertThat(c.isValid(5)).isTrue();
            }
        } finally {
            cluster.stop("immediate");
            PostgresCluster.deleteRecursively(cluster.dataDir());
        }
    }
}
