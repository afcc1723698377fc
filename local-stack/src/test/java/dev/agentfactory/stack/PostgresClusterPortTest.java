package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a cluster whose port something else already holds: no PostgreSQL is run, the stack says why. */
class PostgresClusterPortTest {

    @Test
    void aPortHeldByAnotherProcessIsReportedInsteadOfUsedAsTheCluster(@TempDir Path root) throws Exception {
        // An existing, stopped cluster (as a crashed stack leaves it): PG_VERSION present, no postmaster.pid.
        Path dataDir = root.resolve("pg-primary");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("PG_VERSION"), "15\n");
        try (ServerSocket foreign = new ServerSocket()) {
            foreign.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread closer = new Thread(() -> {
                while (!foreign.isClosed()) {
                    try (Socket s = foreign.accept()) {
                        // answers nothing: not our PostgreSQL
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            closer.setDaemon(true);
            closer.start();
            int port = foreign.getLocalPort();
            StackSettings settings = new StackSettings(root, 1, 2, port, 4, 5, 6, "factory", "postgres", "postgres",
                    "postgres");
            PostgresCluster cluster = new PostgresCluster("primary", dataDir, port, settings);

            assertThatThrownBy(cluster::ensureStarted)
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining("127.0.0.1:" + port + " is already taken")
                    .hasMessageContaining(dataDir.toString());
        }
    }
}
