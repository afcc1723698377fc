package dev.agentfactory.ops.failover;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.OpsSettings;

/**
 * {@link BackupCoverage} for {@code ops replay --backup}: the target must hold what the backup holds, or the replay,
 * which starts at the backup's audit offsets, skips every change committed before them that the target lacks. A
 * target restored from an older backup A and replayed with a newer B lacked every change between A's offsets and
 * B's, and the replay exited 0. Public only for the replay command: {@link BackupCoverage} stays package-private.
 */
public final class ReplayTargetCoverage {

    private ReplayTargetCoverage() {
    }

    /**
     * Refuses ({@link OpsException}) a target that lacks what the backup in {@code dir} ({@code m} its manifest)
     * holds, unless the audit topics from its offsets or the target's purge floors explain it. There is no
     * {@code --force}, unlike a failover: a failover may have to promote the only copy left, while a replay's target
     * can always be given the backup it holds (the one it was restored from) or be restored from this one. Only events
     * committed up to {@code until} (the replay's {@code --until}; null: all) explain a difference: later ones are
     * not replayed.
     */
    public static void require(String targetUrl, Path dir, Manifest m, Instant until, OpsSettings s) throws Exception {
        BackupCoverage.Lack lack;
        try (Connection c = s.connect(targetUrl)) {
            lack = BackupCoverage.check(c, dir, m, new AuditTopics(s.kafka(), s.topics().audit()), until);
        }
        if (!lack.none()) {
            throw new OpsException("the target " + lack.lacking("the backup " + dir + " (taken " + m.createdAt()
                    + ")") + "; for example, the target called the standby: " + String.join("; ", lack.examples())
                    + ". A replay from this backup's audit offsets would skip "
                    + "them: the target holds an older state (restored from an older backup?). Replay with the "
                    + "backup the target was restored from, or restore this one (docs/runbooks.md). Nothing was "
                    + "replayed");
        }
    }
}
