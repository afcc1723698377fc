package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.OpsTestBed;

/**
 * A planned switchover whose {@code --primary} cannot be reached (a typo in the host, port or database name) must
 * not turn into the primary-lost path: that path neither fences nor compares with the primary, so a primary that is
 * in fact alive would keep taking writes after the standby is promoted. Nothing listens on loopback ports 1-3, so
 * no database or broker is touched.
 */
class FailoverUnreachablePrimaryTest {

    private static final Map<String, String> ENV = Map.of("FACTORY_KAFKA_BOOTSTRAP", "127.0.0.1:2");
    private static final String STANDBY = "--standby=jdbc:postgresql://127.0.0.1:1/factory";

    @Test
    void anUnreachablePrimaryIsRefusedWithExitOneInsteadOfBeingTreatedAsLost() throws Exception {
        int[] code = new int[1];
        String[] err = new String[1];
        String out = OpsTestBed.stdoutOf(() -> err[0] = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(
                List.of(STANDBY, "--primary=jdbc:postgresql://127.0.0.1:3/factory", "--timeout=2s"), ENV)));

        assertThat(code[0]).isEqualTo(1);
        assertThat(err[0]).contains("ops failover refused: primary jdbc:postgresql://127.0.0.1:3/factory unreachable (",
                "fence it yourself, then rerun with --primary-lost");
        assertThat(out).doesNotContain("audit topics").doesNotContain("promoted");
    }

    @Test
    void aPrimaryTogetherWithPrimaryLostIsAUsageError() throws Exception {
        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(
                List.of(STANDBY, "--primary=jdbc:postgresql://127.0.0.1:3/factory", "--primary-lost"), ENV));

        assertThat(code[0]).isEqualTo(2);
        assertThat(err).contains("--primary", "--primary-lost");
    }
}
