package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.relay.TestCdcProperties;

class RelayRunnerTest {

    /**
     * A primary that accepts the connection and never answers: the leader thread waits in pgjdbc's read, which an
     * interrupt does not end (10 s, the lock connection's socket timeout). The stop returns at its timeout all the
     * same, where it took the timeout plus 5 s, past Cloud Run's 10 s grace at any timeout above 5 s.
     */
    @Test
    void stopReturnsWithinTheShutdownTimeoutWhateverTheLeaderIsWaitingOn() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            RelayRunner runner = new RelayRunner(TestCdcProperties.with(Map.of("shutdown-timeout", "1s")),
                    new DebeziumConfig.Primary("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/factory",
                            "u", "p"), null, null);
            runner.start();
            Thread.sleep(500); // the leader is connecting
            long started = System.nanoTime();
            runner.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).isLessThan(Duration.ofMillis(2500));
            assertThat(runner.role()).isEqualTo(RelayRunner.Role.STOPPED);
        }
    }
}
