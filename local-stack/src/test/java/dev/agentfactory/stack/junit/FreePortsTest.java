package dev.agentfactory.stack.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.stack.StackSettings;
import dev.agentfactory.stack.junit.FreePorts.Band;

/**
 * The ports tests hand their own servers: none an outgoing connection can take meanwhile (the kernel's ephemeral
 * range), none of the shared stack's, none held, none twice.
 */
class FreePortsTest {

    private static final Path KERNEL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int TAKES = 1000;

    @Test
    void manyTakesInARowAreAllDifferent() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < TAKES; i++) {
            ports.add(FreePorts.take());
        }

        assertThat(ports).hasSize(TAKES);
    }

    @Test
    void portsLieInTheBandBelowTheKernelsEphemeralRangeAndAboveTheStacksPorts() {
        Band band = FreePorts.band(FreePorts.ephemeralRange(KERNEL_RANGE), StackSettings.defaultPorts());
        // The band's own rules are tested below, on given ranges; here, that take() keeps to the band of this machine.
        Optional<Band> kernel = FreePorts.ephemeralRange(KERNEL_RANGE);
        boolean belowKernel = !band.equals(FreePorts.FALLBACK) && kernel.isPresent();

        for (int i = 0; i < TAKES; i++) {
            int port = FreePorts.take();
            assertThat(port).isBetween(band.low(), band.high());
            if (belowKernel) {
                assertThat(port).isLessThan(kernel.get().low());
            }
        }
    }

    @Test
    void aTakenPortIsBindableOnTheLoopbackAddress() throws IOException {
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.take();
            try (ServerSocket server = new ServerSocket()) {
                server.setReuseAddress(false);
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                assertThat(server.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void aPortTheTestHoldsIsNeverReturnedAndOnceReleasedIsReturnedOnce() throws IOException {
        FreePorts picker = new FreePorts();
        int port;
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = held.getLocalPort();
            assertThatThrownBy(() -> picker.next(new Band(port, port))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no free port in " + port + "-" + port).hasMessageContaining("(0 so far)");
        }

        assertThat(picker.next(new Band(port, port))).isEqualTo(port);
        assertThatThrownBy(() -> picker.next(new Band(port, port))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("(1 so far)");
    }

    @Test
    void aPortStillHeldByAClosedConnectionIsNotReturned() throws IOException {
        FreePorts picker = new FreePorts();
        int port;
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
            port = listener.getLocalPort();
            listener.accept().close(); // the server's end closes first: it waits in TIME_WAIT on the port
        }

        assertThatThrownBy(() -> picker.next(new Band(port, port))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("(0 so far)");
    }

    @Test
    void theBandRunsFromAboveTheHighestStackPortUnderTheEphemeralRangeToJustBelowIt() {
        // Above the control port (19099); the PostgreSQL ports (55432, 55433) lie inside Linux's usual range.
        assertThat(FreePorts.band(Optional.of(new Band(32768, 60999)), StackSettings.defaultPorts()))
                .isEqualTo(new Band(19100, 32767));
    }

    @Test
    void withoutTheKernelsRangeTheFallbackBandIsUsed(@TempDir Path dir) {
        Optional<Band> none = FreePorts.ephemeralRange(dir.resolve("ip_local_port_range"));

        assertThat(none).isEmpty();
        assertThat(FreePorts.band(none, StackSettings.defaultPorts())).isEqualTo(FreePorts.FALLBACK);
    }

    @Test
    void theKernelsRangeIsReadFromItsFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("ip_local_port_range"), "40000\t50000\n");

        assertThat(FreePorts.ephemeralRange(file)).contains(new Band(40000, 50000));
    }

    @Test
    void aKernelRangeThatLeavesTooFewPortsBelowItGivesTheFallbackBand() {
        // Containers often give outgoing connections 1024-65535; just above the stack's ports is no better.
        assertThat(FreePorts.band(Optional.of(new Band(1024, 65535)), StackSettings.defaultPorts()))
                .isEqualTo(FreePorts.FALLBACK);
        assertThat(FreePorts.band(Optional.of(new Band(19500, 60999)), StackSettings.defaultPorts()))
                .isEqualTo(FreePorts.FALLBACK);
    }

    @Test
    void anEmptyBandFailsSayingSo() {
        Band none = new Band(19100, 19099);

        assertThat(none.size()).isZero();
        assertThatThrownBy(() -> new FreePorts().next(none)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no free port in " + none + " (below the kernel's ephemeral range");
    }
}
