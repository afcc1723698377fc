package dev.agentfactory.stack.junit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import dev.agentfactory.stack.StackSettings;

/**
 * Ports for the servers a test starts itself (a private stack, an app process, a Redis of its own). A port bound to
 * 0 and closed comes from the kernel's ephemeral range, where every outgoing connection (Kafka clients, JDBC, Redis)
 * takes its local port too, so on a busy machine one could take it before the child process bound it; and two such
 * picks in a row could return the same port. These lie below the ephemeral range and above the local stack's
 * default ports, are bound once to check that they are free, and are never handed out twice in a JVM.
 */
public final class FreePorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Where the kernel does not say its ephemeral range: below the usual ones (Linux 32768, IANA 49152). */
    static final Band FALLBACK = new Band(20000, 32000);
    /** The fewest ports a band below the ephemeral range must hold to be used. */
    static final int MIN_BAND = 1_000;
    /** The picker every test of this JVM shares through {@link #take}. */
    private static final FreePorts THIS_JVM = new FreePorts();

    private final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    /** A picker of its own, for the tests of the picking. */
    FreePorts() {
    }

    /** A port nothing listens on now and that this JVM has not handed out before: the caller's to bind. */
    public static int take() {
        return THIS_JVM.next(band(ephemeralRange(EPHEMERAL_RANGE), StackSettings.defaultPorts()));
    }

    int next(Band band) {
        // From a random place in the band: test JVMs of other builds on the machine pick from the same band, and two
        // that start at the same port would both find it free before either child binds it.
        int size = band.size();
        int start = size == 0 ? 0 : ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = band.low() + (start + i) % size;
            if (!handedOut.contains(port) && bindable(port) && handedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + band + " (below the kernel's ephemeral range, above the "
                + "local stack's ports): each is bound on the loopback address or was handed out before by this "
                + "picker (" + handedOut.size() + " so far)");
    }

    /**
     * The ports below the ephemeral range and above the highest stack port under it; with no range known, or one
     * that leaves fewer than {@link #MIN_BAND} ports below it (containers often open 1024-65535 to outgoing
     * connections, and then no port is safe from them), the fallback band: better a rare race than no port at all.
     */
    static Band band(Optional<Band> ephemeral, Collection<Integer> stackPorts) {
        Band below = above(stackPorts, ephemeral.map(e -> new Band(1024, e.low() - 1)).orElse(FALLBACK));
        return below.size() >= MIN_BAND ? below : above(stackPorts, FALLBACK);
    }

    private static Band above(Collection<Integer> stackPorts, Band limits) {
        int aboveStack = stackPorts.stream().filter(p -> p <= limits.high()).mapToInt(p -> p + 1).max().orElse(0);
        return new Band(Math.max(limits.low(), aboveStack), limits.high());
    }

    /** The kernel's ephemeral port range as its file gives it ("32768\t60999"); none where the file is absent. */
    static Optional<Band> ephemeralRange(Path file) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        // Read as lines: the file says its size is 0, and Files.readString gives only its first character on JDK 17.
        try (BufferedReader lines = Files.newBufferedReader(file)) {
            String[] bounds = lines.readLine().trim().split("\\s+");
            return Optional.of(new Band(Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ephemeral port range from " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the ephemeral port range from " + file, e);
        }
    }

    /**
     * Bound on the loopback address, where the stack's services listen. SO_REUSEADDR off (Java sets it on Linux
     * servers by default): a port still held by a connection in TIME_WAIT counts as taken.
     */
    private static boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(false);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The ports low to high, both included. */
    record Band(int low, int high) {

        int size() {
            return Math.max(high - low + 1, 0);
        }

        @Override
        public String toString() {
            return low + "-" + high;
        }
    }
}
