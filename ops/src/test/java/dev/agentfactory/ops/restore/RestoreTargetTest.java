package dev.agentfactory.ops.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.store.replica.TableSpec;

/**
 * A restore creates the least-privilege roles in its target with the passwords of the environment; the check that
 * the local stack's well-known defaults are used only on this machine applies to the target, not FACTORY_DB_URL.
 */
class RestoreTargetTest {

    /** The operator's shell with bin/lib/common.sh's local FACTORY_DB_URL, restoring into a new remote standby. */
    private static final Map<String, String> LOCAL_ENV = Map.of(
            "FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory", "FACTORY_DB_OWNER_PASSWORD", "owner-secret");
    private static final String EMPTY_FILE_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void aRemoteTargetWithoutRolePasswordsIsRefusedWithExitOneBeforeItIsContacted(@TempDir Path backup)
            throws Exception {
        completeBackupOfNoRows(backup);
        int[] code = new int[1];

        // .invalid never resolves: had the restore gone on, it would fail connecting, with another message
        String err = OpsTestBed.stderrOf(() -> code[0] = RestoreCommand.run(List.of("--backup=" + backup,
                "--target=jdbc:postgresql://new-standby.invalid:5432/factory"), LOCAL_ENV));

        assertThat(code[0]).isEqualTo(1);
        assertThat(err).contains("ops restore refused: restore target: the local defaults are only for a loopback "
                + "database", "FACTORY_DB_WRITER_PASSWORD", "FACTORY_DB_READER_PASSWORD",
                "FACTORY_DB_REPLICATOR_PASSWORD", "new-standby.invalid");
    }

    @Test
    void aTargetOnThePrimarysServerTakesTheTlsOptionsOfTheEnvironmentThatItsUrlDoesNotSet() {
        Map<String, String> env = Map.of("FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55433/factory",
                "FACTORY_DB_SSLMODE", "verify-full", "FACTORY_DB_SSLROOTCERT", "/etc/ca.pem");

        assertThat(RestoreCommand.targetSettings(env, "jdbc:postgresql://127.0.0.1:55433/factory_drill").url())
                .isEqualTo("jdbc:postgresql://127.0.0.1:55433/factory_drill?sslmode=verify-full&sslrootcert=/etc/ca.pem");
    }

    @Test
    void aTargetOnAnotherServerNeverTakesThePrimarysCertificates() {
        Map<String, String> env = Map.of("FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory",
                "FACTORY_DB_SSLMODE", "verify-full", "FACTORY_DB_SSLROOTCERT", "/etc/primary-ca.pem",
                "FACTORY_DB_SSLCERT", "/etc/primary-client.pem", "FACTORY_DB_SSLKEY", "/etc/primary-client.key");

        assertThat(RestoreCommand.targetSettings(env,
                "jdbc:postgresql://127.0.0.1:55433/factory_drill?sslmode=require").url())
                .isEqualTo("jdbc:postgresql://127.0.0.1:55433/factory_drill?sslmode=require");
    }

    /** A backup that passes the manifest check: every table, each an empty file. */
    private static void completeBackupOfNoRows(Path dir) throws Exception {
        List<Manifest.TableFile> files = TableSpec.FACTORY.stream().map(t -> new Manifest.TableFile(t.name(),
                t.name() + ".copy.gz", List.of(), 0, "", EMPTY_FILE_SHA256, 0)).toList();
        for (Manifest.TableFile f : files) {
            Files.createFile(dir.resolve(f.file()));
        }
        new Manifest(Manifest.FORMAT, Instant.parse("2026-11-20T12:00:00Z"), "jdbc:postgresql://db/factory", "0/1",
                "4.4", Map.of(), files).write(dir);
    }
}
