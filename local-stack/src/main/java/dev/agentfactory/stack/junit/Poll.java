package dev.agentfactory.stack.junit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits in tests for a condition with a deadline instead of sleeping a fixed time. */
public final class Poll {

    private Poll() {
    }

    /** Checks {@code condition} every 100 ms; fails with "timed out ... waiting for {@code what}" after {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
