package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.OpsTestBed;

/**
 * Where `failover --primary-lost` replays the audit topics from must be said: the backup's offsets, or explicitly the
 * beginning. A `--backup="$LATEST"` with the variable unset, or no --backup at all, used to replay from the beginning,
 * where the topics may carry a previous primary's history and LSNs. Usage errors, exit 2, before anything is
 * reached: the standby, broker and primary named here do not exist (nothing listens on loopback ports 1-3).
 */
class FailoverReplayStartTest {

    private static final Map<String, String> ENV = Map.of("FACTORY_KAFKA_BOOTSTRAP", "127.0.0.1:2");
    private static final String STANDBY = "--standby=jdbc:postgresql://127.0.0.1:1/factory";

    @Test
    void primaryLostWithoutABackupOrFromBeginningIsAUsageError() throws Exception {
        String err = usageError(STANDBY, "--primary-lost");

        assertThat(err).contains("--primary-lost needs --backup=DIR", "--from-beginning");
    }

    @Test
    void anEmptyBackupIsAUsageErrorNotFromTheBeginning() throws Exception {
        String err = usageError(STANDBY, "--primary-lost", "--backup=");

        assertThat(err).contains("--backup is given but empty");
    }

    @Test
    void aBackupTogetherWithFromBeginningIsAUsageError() throws Exception {
        assertThat(usageError(STANDBY, "--primary-lost", "--backup=/backups/backup-1", "--from-beginning"))
                .contains("exclude each other");
    }

    @Test
    void aReplayStartWithoutPrimaryLostIsAUsageError() throws Exception {
        assertThat(usageError(STANDBY, "--primary=jdbc:postgresql://127.0.0.1:3/factory", "--from-beginning"))
                .contains("a switchover with the primary reachable replays nothing");
    }

    private static String usageError(String... args) throws Exception {
        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(new ArrayList<>(List.of(args)), ENV));
        assertThat(code[0]).as("exit code of " + List.of(args)).isEqualTo(2);
        return err;
    }
}
