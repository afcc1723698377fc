package dev.agentfactory.ops.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.cli.Command;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.OpsSettings;

/**
 * {@code ops backup [--db=URL] [--dir=DIR] [--keep=N] [--max-age=30d]}: a consistent logical backup of schema
 * factory into a new {@code backup-<time>} directory of DIR, then retention. The audit topics' end offsets
 * are read before the snapshot, so replaying from them can only repeat changes, never miss one.
 */
public final class BackupCommand {

    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private BackupCommand() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        return Command.run("backup", args, env, BackupCommand::backup);
    }

    private static int backup(List<String> args, OpsSettings s) throws Exception {
        Options o = Options.parse(args, Set.of("db", "dir", "keep", "max-age"));
        String url = o.get("db", s.dbUrl());
        Path root = Path.of(o.get("dir", s.backupDir()));
        int keep = o.intValue("keep", 7);
        Duration maxAge = o.duration("max-age", Duration.ofDays(30));
        Path dir = create(root, url, s);
        System.out.println("backup written to " + dir);
        for (Path gone : Retention.apply(root, Math.max(1, keep), maxAge, Instant.now())) {
            System.out.println("retention: deleted " + gone);
        }
        return 0;
    }

    /** Takes one backup into a new directory under root and returns it; a failed backup leaves no directory. */
    public static Path create(Path root, String url, OpsSettings s) throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(root);
        Path dir = root.resolve(Retention.PREFIX + NAME.format(Instant.now()));
        Files.createDirectory(dir);
        try {
            Map<String, Map<Integer, Long>> offsets = new AuditTopics(s.kafka(),
                    s.topics().audit()).endOffsets();
            Manifest m;
            try (Connection c = s.connect(url)) {
                // the query string may carry credentials; the manifest records where, not how
                m = SnapshotBackup.write(c, dir, url.replaceFirst("\\?.*", ""), offsets);
            }
            m.write(dir);
            System.out.printf("backup: %d rows in %d tables at LSN %s, %d bytes, %.1f s%n",
                    m.tables().stream().mapToLong(Manifest.TableFile::rows).sum(), m.tables().size(), m.snapshotLsn(),
                    m.tables().stream().mapToLong(Manifest.TableFile::bytes).sum(), (System.nanoTime() - t0) / 1e9);
            return dir;
        } catch (Exception e) {
            Retention.delete(dir);
            throw e;
        }
    }
}
