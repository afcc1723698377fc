package dev.agentfactory.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Loopback port probes and bounded waits. */
final class Ports {

    private Ports() {
    }

    static boolean isOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void awaitOpen(int port, Duration timeout, String what) {
        await(() -> isOpen(port), timeout, what + " to listen on 127.0.0.1:" + port);
    }

    static void awaitClosed(int port, Duration timeout, String what) {
        await(() -> !isOpen(port), timeout, what + " to release 127.0.0.1:" + port);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new StackException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted waiting for " + what, e);
            }
        }
    }
}
