package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.OpsSettings;

/**
 * What the fence's shutdown hook does at each stage of a switchover, run directly against a primary that cannot be
 * reached (so a lift fails and says what to run): {@code StoppedSwitchoverIT} stops a real process.
 */
class FenceGuardTest {

    private static final String LIFT = "ALTER ROLE w IN DATABASE f RESET default_transaction_read_only";
    private static final String UNREACHABLE = "jdbc:postgresql://127.0.0.1:2/f?connectTimeout=2";

    @Test
    void aStopBeforeThePromotionLiftsTheFenceAndThePromotionIsThenRefused() throws Exception {
        try (FenceGuard guard = guard()) {
            guard.arm(LIFT);

            String err = OpsTestBed.stderrOf(guard::onStop);

            assertThat(err).contains("stopped before the promotion; lifting the fence",
                    "could not lift the fence", "on the primary run: " + LIFT);
            assertThatThrownBy(guard::promoting).isInstanceOf(OpsException.class).hasMessageContaining("not promoted");
        }
    }

    @Test
    void aStopDuringThePromotionLeavesTheFenceAndSaysHowToLiftIt() throws Exception {
        try (FenceGuard guard = guard()) {
            guard.arm(LIFT);
            guard.promoting();

            String err = OpsTestBed.stderrOf(guard::onStop);

            assertThat(err).contains("stopped during the promotion; the fence stays", LIFT)
                    .doesNotContain("lifting the fence");
        }
    }

    @Test
    void aGuardClosedByTheCommandDoesNothingOnStop() throws Exception {
        FenceGuard guard = guard();
        guard.arm(LIFT);
        guard.close();

        assertThat(OpsTestBed.stderrOf(guard::onStop)).isEmpty();
    }

    /** The command's lift after a refusal and the hook's lift must not both run: they raced on the role's setting. */
    @Test
    void aFenceIsLiftedOnceByTheCommandOrByTheStopNeverBoth() throws Exception {
        try (FenceGuard refused = guard()) {
            refused.arm(LIFT);
            assertThat(refused.takeLift()).as("the command lifts after its refusal").isTrue();
            assertThat(OpsTestBed.stderrOf(refused::onStop)).as("then a stop leaves it to the command").isEmpty();
        }
        try (FenceGuard stopped = guard()) {
            stopped.arm(LIFT);
            OpsTestBed.stderrOf(stopped::onStop);
            assertThat(stopped.takeLift()).as("a stop lifted it: the command's catch does not").isFalse();
        }
        try (FenceGuard failedPromotion = guard()) {
            failedPromotion.arm(LIFT);
            failedPromotion.promoting();
            assertThat(failedPromotion.takeLift()).as("a failed promotion still lifts").isTrue();
        }
    }

    private static FenceGuard guard() {
        return new FenceGuard(UNREACHABLE, "w", OpsSettings.fromEnvironment(Map.of()));
    }
}
