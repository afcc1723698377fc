package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.SQLException;

import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.OpsSettings;

/**
 * Lifts the fence when the process is stopped (Ctrl-C, SIGTERM, SIGHUP) after the fence and before the promotion,
 * by a shutdown hook: the catch that lifts it on a refusal never runs then, and the primary, which stays the
 * primary, would go on refusing its writer's writes (the ingest stopped) with nothing said. A stop during the
 * promotion leaves the fence: whether the standby was promoted is unknown then, and a fenced old primary is the safe
 * side of that, so the hook only says how to lift it by hand. SIGKILL runs no hook: for that, {@link #arm} prints the
 * statement that lifts the fence as soon as it is set.
 */
final class FenceGuard implements AutoCloseable {

    private enum State { UNARMED, ARMED, PROMOTING, LIFTED, DONE }

    private final String primaryUrl;
    private final String writer;
    private final OpsSettings settings;
    private final Thread hook = new Thread(this::onStop, "failover-fence-guard");
    private State state = State.UNARMED;
    private String liftStatement;

    FenceGuard(String primaryUrl, String writer, OpsSettings settings) {
        this.primaryUrl = primaryUrl;
        this.writer = writer;
        this.settings = settings;
    }

    /** Called with the statement that lifts the fence, once it is set ({@link Fence#raise}). */
    synchronized void arm(String liftStatement) {
        this.liftStatement = liftStatement;
        state = State.ARMED;
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("failover: fence set; it is lifted again if this command refuses, fails or is stopped "
                + "before the promotion. Killed (SIGKILL) before then, lift it by hand on the primary: "
                + liftStatement);
    }

    /**
     * Called right before the promotion, from then on the hook leaves the fence in place. Refuses to promote when a
     * stop has lifted the fence already: the JVM runs its hooks beside this thread, which goes on until it halts.
     */
    synchronized void promoting() {
        if (state == State.LIFTED) {
            throw new OpsException("stopped: the fence was lifted, so the standby is not promoted");
        }
        state = State.PROMOTING;
    }

    /**
     * Whether the command itself is to lift the fence after a refusal or failure (the promotion's included): false when
     * a stop's hook has lifted it, or is lifting it, already. One lift, not two racing on the role's setting, where the
     * loser failed with "tuple concurrently updated" and printed "could not lift the fence" for a fence that was gone.
     */
    synchronized boolean takeLift() {
        if (state == State.ARMED || state == State.PROMOTING) {
            state = State.LIFTED;
            return true;
        }
        return false;
    }

    /** Disarms the hook: the command ended on its own, and has lifted the fence unless it promoted. */
    @Override
    public void close() {
        synchronized (this) {
            state = State.DONE;
        }
        try { // false, and harmless, for a hook never added
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already: the hook runs, and does nothing in DONE
        }
    }

    /** The hook's body (run directly by its test). */
    void onStop() {
        synchronized (this) {
            if (state == State.PROMOTING) {
                System.err.println("failover: stopped during the promotion; the fence stays. If the standby was not "
                        + "promoted (it has no relay slot), lift it by hand on the primary: " + liftStatement);
            }
            if (state != State.ARMED) {
                return;
            }
            state = State.LIFTED;
        }
        System.err.println("failover: stopped before the promotion; lifting the fence");
        // a connection of its own: the command's may be in the middle of a comparison on the main thread
        try (Connection c = settings.connect(primaryUrl)) {
            Fence.lift(c, writer);
        } catch (SQLException | RuntimeException e) {
            Fence.couldNotLift(e, liftStatement);
        }
    }
}
