package dev.agentfactory.ops.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;

import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.store.replica.TableSpec;

/**
 * Proves a backup whole before anything is written: the manifest is present and readable, it lists every
 * factory table, and each file exists with the size and sha256 the manifest recorded.
 */
final class BackupCheck {

    private BackupCheck() {
    }

    static Manifest verify(Path dir) throws Exception {
        Manifest m = Manifest.read(dir);
        Set<String> listed = m.tables().stream().map(Manifest.TableFile::table).collect(Collectors.toSet());
        for (TableSpec t : TableSpec.FACTORY) {
            if (!listed.contains(t.name())) {
                throw new OpsException(dir + " is incomplete: the manifest lists no file for table " + t.name());
            }
        }
        for (Manifest.TableFile f : m.tables()) {
            Path file = dir.resolve(f.file());
            if (!file.normalize().startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                throw new OpsException(dir + " is incomplete: " + f.file() + " (table " + f.table() + ") is missing");
            }
            if (Files.size(file) != f.bytes()) {
                throw new OpsException(file + " is corrupted: " + Files.size(file) + " bytes, the manifest says "
                        + f.bytes());
            }
            String sha = sha256(file);
            if (!sha.equals(f.sha256())) {
                throw new OpsException(file + " is corrupted: sha256 " + sha + ", the manifest says " + f.sha256());
            }
        }
        return m;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new OpsException(file + " cannot be read: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
