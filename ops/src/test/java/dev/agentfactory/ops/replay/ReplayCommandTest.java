package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.backup.Manifest;

class ReplayCommandTest {

    @Test
    void anUntilBeforeTheBackupIsRefusedWithExitOneBeforeAnyDatabaseIsOpened(@TempDir Path backup) throws Exception {
        Instant taken = Instant.parse("2026-11-20T12:00:00Z");
        new Manifest(Manifest.FORMAT, taken, "jdbc:postgresql://db/factory", "0/1", "4.4", Map.of(), List.of())
                .write(backup);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            // The target is unreachable: the refusal must come from the manifest, not from a failed connection.
            code = ReplayCommand.run(List.of("--target=jdbc:postgresql://127.0.0.1:1/none", "--backup=" + backup,
                    "--until=2026-11-19T00:00:00Z"), Map.of());
        } finally {
            System.setErr(saved);
        }

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ops replay refused", "is before the backup",
                "2026-11-20T12:00:00Z");
    }

    @Test
    void aBackupTogetherWithFromBeginningIsAUsageErrorBeforeAnyDatabaseIsOpened() throws Exception {
        int[] code = new int[1];
        // the target is unreachable: without the usage error the replay would fail on connecting (exit 1)
        String err = OpsTestBed.stderrOf(() -> code[0] = ReplayCommand.run(List.of(
                "--target=jdbc:postgresql://127.0.0.1:1/none", "--backup=/backups/backup-1", "--from-beginning"),
                Map.of()));

        assertThat(code[0]).isEqualTo(2);
        assertThat(err).contains("ops replay: --backup and --from-beginning exclude each other");
    }
}
