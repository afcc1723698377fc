package dev.agentfactory.ops.replay;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.Command;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.UsageException;
import dev.agentfactory.ops.failover.ReplayTargetCoverage;

/**
 * {@code ops replay --target=URL (--backup=DIR | --from-beginning) [--until=2026-01-01T12:00:00Z]}: after a
 * restore, applies the audit topics from the backup's recorded offsets to their current end, or only the
 * changes committed up to {@code --until} (which must not be before the backup was taken); then rebuilds the
 * refused writes' outcomes from the results topic ({@link OutcomeReplay}). With {@code --backup} the target must
 * first hold what the backup holds ({@link ReplayTargetCoverage}): the replay starts at its offsets and would skip
 * what the target lacks from before them.
 */
public final class ReplayCommand {

    private ReplayCommand() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        return Command.run("replay", args, env, (a, s) -> {
            Options o = Options.parse(a, Set.of("target", "backup", "from-beginning", "until"));
            String target = o.required("target");
            Map<String, Map<Integer, Long>> from;
            Instant until = o.instant("until");
            Instant backupTime = null;
            if (fromBeginning(o)) {
                from = AuditReplay.fromBeginning();
            } else {
                Path dir = Path.of(o.required("backup"));
                Manifest m = Manifest.read(dir);
                if (until != null && until.isBefore(m.createdAt())) {
                    throw new OpsException("--until " + until + " is before the backup (" + m.createdAt()
                            + "); restore an older backup to go back that far");
                }
                ReplayTargetCoverage.require(target, dir, m, until, s);
                from = m.auditOffsets();
                backupTime = m.createdAt();
            }
            replay(target, from, until, s);
            rebuildRefusals(target, backupTime, until, s);
            return 0;
        });
    }

    /** {@code --from-beginning}, which excludes {@code --backup}: one of the two would be silently ignored. */
    private static boolean fromBeginning(Options o) {
        boolean fromBeginning = o.flag("from-beginning");
        if (fromBeginning && o.optional("backup") != null) {
            throw new UsageException("--backup and --from-beginning exclude each other: replay from the backup's audit "
                    + "offsets, or (only if the target holds no backup) from the topics' beginning");
        }
        return fromBeginning;
    }

    /**
     * The newest outcome a database holds, or null: where a standby's own record of outcomes ends. Read it before a
     * replay, which stores the applied writes' outcomes stamped with their commit times, up to the primary's last.
     */
    public static Instant newestOutcome(String url, OpsSettings s) throws Exception {
        try (Connection c = s.connect(url)) {
            return OutcomeReplay.newestOutcome(c);
        }
    }

    /**
     * The CONFLICT and REJECTED outcomes stored after {@code since} (a backup's time, or where a standby's record
     * ended; null: all), from the results topic ({@link OutcomeReplay}).
     */
    public static void rebuildRefusals(String targetUrl, Instant since, Instant until, OpsSettings s) throws Exception {
        String topic = s.topics().writeResults();
        try (Connection c = s.connect(targetUrl)) {
            OutcomeReplay.Result r = new OutcomeReplay(s.kafka(), topic).replay(c, since, until);
            System.out.printf("replay: %d outcomes read from %s, %d CONFLICT or REJECTED outcomes rebuilt%s%n",
                    r.read(), topic, r.rebuilt(), r.unreadable() == 0 ? ""
                            : "; " + r.unreadable() + " records that are no outcome skipped");
        }
    }

    public static AuditReplay.Result replay(String targetUrl, Map<String, Map<Integer, Long>> from, Instant until,
                                            OpsSettings s) throws Exception {
        AuditReplay replay = new AuditReplay(new AuditTopics(s.kafka(), s.topics().audit()), s.cdcLockKey());
        try (Connection c = s.connect(targetUrl)) {
            AuditReplay.Result r = replay.replay(c, from, until);
            System.out.printf("replay: %d audit events, %d row images applied (version-guarded)%s, %.1f s%n",
                    r.events(), r.rowImages(), until == null ? "" : "; stopped at " + until, r.seconds());
            return r;
        }
    }
}
