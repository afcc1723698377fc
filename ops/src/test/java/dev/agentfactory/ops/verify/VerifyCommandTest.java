package dev.agentfactory.ops.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.OpsTestBed;

class VerifyCommandTest {

    @Test
    void aBlankRightIsAUsageErrorNotTheDefaultStandby() throws Exception {
        int[] code = new int[1];
        // the left side cannot be reached: a blank --right read as the default fails on connecting instead (exit 1)
        String err = OpsTestBed.stderrOf(() -> code[0] = VerifyCommand.run(List.of(
                "--left=jdbc:postgresql://127.0.0.1:1/none", "--right="), Map.of()));

        assertThat(code[0]).isEqualTo(2);
        assertThat(err).contains("ops verify: --right is given but empty");
    }
}
