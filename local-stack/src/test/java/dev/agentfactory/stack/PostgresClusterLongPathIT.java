package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * A cluster whose data directory path is longer than a Unix-domain socket path may be (107 bytes): with its socket in
 * the data directory, PostgreSQL refused to start ("could not create any Unix-domain sockets"), which a checkout of
 * more than about 30 characters met with the private stacks under ingest-worker/target.
 */
class PostgresClusterLongPathIT {

    @Test
    void aClusterStartsAndServesTcpWhateverTheLengthOfItsDataDirectoryPath() throws Exception {
        int port = FreePorts.take();
        StackSettings shared = StackSettings.fromEnvironment();
        StackSettings settings = new StackSettings(Path.of("target", "private-pg-long").toAbsolutePath(), 1, 2, port,
                4, 5, 6, "factory", shared.superuser(), shared.superuserPassword(), shared.pgOsUser());
        LocalStack owner = new LocalStack(settings); // resolves the OS user PostgreSQL runs as
        Path dataDir = PgDataLocation.choose(owner.settings()).resolve("pg-long-" + "d".repeat(110));
        assertThat(dataDir.resolve(".s.PGSQL." + port).toString()).hasSizeGreaterThan(107);
        PostgresCluster cluster = new PostgresCluster("primary", dataDir, port, owner.settings());
        PostgresCluster.deleteRecursively(cluster.dataDir());
        try {
            cluster.ensureStarted();
            try (var c = cluster.connect("factory")) {
                assertThat(c.isValid(5)).isTrue();
            }
        } finally {
            cluster.stop("immediate");
            PostgresCluster.deleteRecursively(cluster.dataDir());
        }
    }
}
