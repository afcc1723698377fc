package dev.agentfactory.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The stack process's answer to {@code status}, and the healing of a degraded stack. READY means every service
 * answers on its port now, not that they all did once at start-up: a stack whose Redis or PostgreSQL died since
 * answers {@code DEGRADED redis,primary}, so that it is healed instead of reused as it is (every test would then
 * fail on a refused connection far from the cause).
 */
final class StackHealth {

    static final String READY = "READY";
    static final String DEGRADED = "DEGRADED";
    static final String STARTING = "STARTING";

    private StackHealth() {
    }

    /** In the stack process: STARTING until its start-up is over, then READY or {@code DEGRADED <services>}. */
    static String answer(LocalStack stack, boolean started) {
        if (!started) {
            return STARTING;
        }
        List<String> down = stack.down();
        return down.isEmpty() ? READY : DEGRADED + " " + String.join(",", down);
    }

    /**
     * In the stack process: starts again what is down and answers as {@code status} does afterwards, or
     * {@code ERROR <why>}. Not while starting: start-up is then running the same steps on another thread.
     */
    static String heal(LocalStack stack, boolean started) {
        String before = answer(stack, started);
        if (!before.startsWith(DEGRADED)) {
            return before;
        }
        System.out.println("heal: " + before + "; starting again what is down");
        try {
            stack.startAll();
        } catch (StackException e) {
            System.out.println("heal: " + e.getMessage());
            return "ERROR " + e.getMessage().replace('\n', ' ');
        }
        String after = answer(stack, true);
        System.out.println("heal: " + after);
        return after;
    }

    /**
     * Has the stack process start again the services a {@code DEGRADED} answer names, and waits until it answers
     * READY; asks again while it does not, as a PostgreSQL killed a moment ago may refuse to start until its
     * orphaned backends have exited.
     */
    static void heal(StackSettings settings, String degraded, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String answer = StackControl.send(settings, "heal");
        while (!READY.equals(answer)) {
            if ("DOWN".equals(answer)) { // the stack process itself is gone meanwhile: start a whole new one
                StackControl.spawnDetached(settings, timeout);
                return;
            }
            if (System.nanoTime() > deadline) {
                Path log = StackControl.log(settings);
                throw new StackException("the local stack's " + degraded.substring(DEGRADED.length()).trim()
                        + " did not come back in " + timeout.toSeconds() + " s (its stack process answers: " + answer
                        + "); see " + log + " (or restart the stack: bin/stack down; bin/stack up)\n"
                        + StackControl.tail(log));
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while the stack heals", e);
            }
            answer = StackControl.send(settings, "heal");
        }
    }
}
