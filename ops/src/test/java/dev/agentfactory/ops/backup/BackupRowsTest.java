package dev.agentfactory.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.ops.cli.OpsException;

/**
 * A backup's table file read without a database, as COPY TO wrote it: the requested columns by the manifest's names,
 * NULL and escaped values decoded, and a file that does not hold what the manifest says refused.
 */
class BackupRowsTest {

    private static final List<String> COLUMNS = List.of("seq", "agent_id", "entry", "note");

    @TempDir
    Path dir;

    @Test
    void readsTheRequestedColumnsOfEveryRowWithNullsAndEscapesDecoded() throws Exception {
        Manifest m = backup(2, "1\ta1\t{\"k\": \"tab\\there\"}\t\\N\n2\ta2\tline\\nbreak \\\\N\tx\n");
        List<String> rows = new ArrayList<>();

        long n = BackupRows.read(dir, m, "agent_history", List.of("note", "seq", "entry"),
                values -> rows.add(Arrays.toString(values)));

        assertThat(n).isEqualTo(2);
        assertThat(rows).containsExactly("[null, 1, {\"k\": \"tab\there\"}]", "[x, 2, line\nbreak \\N]");
    }

    @Test
    void aFileWithOtherRowsThanTheManifestSaysIsRefused() throws Exception {
        Manifest m = backup(3, "1\ta1\te\tn\n2\ta2\te\tn\n");

        assertThatThrownBy(() -> BackupRows.read(dir, m, "agent_history", List.of("seq"), values -> { }))
                .isInstanceOf(OpsException.class).hasMessageContaining("holds 2 rows, the manifest says 3");
    }

    @Test
    void aColumnTheBackupDoesNotHaveOrATableItListsNoFileForIsRefused() throws Exception {
        Manifest m = backup(1, "1\ta1\te\tn\n");

        assertThatThrownBy(() -> BackupRows.read(dir, m, "agent_history", List.of("kind"), values -> { }))
                .isInstanceOf(OpsException.class).hasMessageContaining("has no column kind");
        assertThatThrownBy(() -> BackupRows.read(dir, m, "prd_agents", List.of("prd_id"), values -> { }))
                .isInstanceOf(OpsException.class).hasMessageContaining("lists no file for table prd_agents");
    }

    private Manifest backup(long rows, String copyText) throws Exception {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("agent_history.copy.gz")))) {
            out.write(copyText.getBytes(StandardCharsets.UTF_8));
        }
        return new Manifest(Manifest.FORMAT, Instant.parse("2026-11-28T00:00:00Z"), "jdbc:postgresql://db/factory",
                "0/1", "4.5", Map.of(), List.of(new Manifest.TableFile("agent_history", "agent_history.copy.gz",
                COLUMNS, rows, "hash", "sha", Files.size(dir.resolve("agent_history.copy.gz")))));
    }
}
