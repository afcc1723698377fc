package dev.agentfactory.ops.failover;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.replay.AuditReplay;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.store.replica.ComparisonReport;
import dev.agentfactory.store.replica.DatabaseComparator;

/** How many committed writes the standby lacks: measured against a reachable primary, or against the audit topics. */
final class CatchUp {

    private CatchUp() {
    }

    /**
     * Refuses a standby behind the backup, before anything is replayed: one that lacks what the backup holds
     * ({@link BackupCoverage}), writes committed before it that a replay from its offsets does not bring back. With
     * {@code force} it goes on and returns how many such writes the standby lacks, for the RPO; 0 when none.
     */
    static long behindTheBackup(String standbyUrl, Path dir, Manifest backup, boolean force, OpsSettings s)
            throws Exception {
        BackupCoverage.Lack lack;
        try (Connection c = s.connect(standbyUrl)) {
            lack = BackupCoverage.check(c, dir, backup, new AuditTopics(s.kafka(), s.topics().audit()), null);
        }
        if (lack.none()) {
            System.out.println("failover: the standby holds every agent and PRD version, history entry and link the "
                    + "backup holds, and no agent or PRD erased before it");
            return 0;
        }
        String behind = "the standby is behind the backup " + dir + " (taken " + backup.createdAt() + " at LSN "
                + backup.snapshotLsn() + "): it " + lack.lacking("the backup") + ", and a replay from the backup's "
                + "audit offsets does not bring them back: " + String.join("; ", lack.examples());
        if (!force) {
            throw new OpsException(behind + ". Its relay sink was off across the backup (FACTORY_STANDBY_ENABLED="
                    + "false: a maintenance window, a standby rebuild) or behind it. Rerun with an older backup, taken "
                    + "before the standby's sink stopped, or with --from-beginning if the audit topics hold nothing "
                    + "from before an earlier failover, or restore this backup and replay instead (docs/runbooks.md); "
                    + "--force promotes it anyway, these writes counted in the RPO. Nothing was replayed or promoted");
        }
        System.out.println("failover: --force: " + behind + "; they are counted in the RPO");
        return lack.writes();
    }

    /**
     * Replays the audit topics onto the standby from the backup's offsets ({@code backup}; null: from the
     * beginning), rebuilds the refused writes' outcomes since the standby's own record of them ended, then counts
     * what the topics hold from those offsets that it lacks.
     */
    static long withAuditTopics(String standbyUrl, Manifest backup, OpsSettings s) throws Exception {
        AuditTopics topics = new AuditTopics(s.kafka(), s.topics().audit());
        Map<String, Map<Integer, Long>> from = backup == null ? AuditReplay.fromBeginning() : backup.auditOffsets();
        Instant refusalsSince = refusalsSince(ReplayCommand.newestOutcome(standbyUrl, s), backup);
        ReplayCommand.replay(standbyUrl, from, null, s);
        ReplayCommand.rebuildRefusals(standbyUrl, refusalsSince, null, s);
        long lost;
        try (Connection c = s.connect(standbyUrl)) {
            lost = AuditCoverage.missing(topics, c, from);
        }
        System.out.println("failover: checked against the audit topics' end: " + lost + " committed writes missing");
        return lost;
    }

    /**
     * Where the standby's record of outcomes ended, read before the replay (which stores the applied writes' outcomes
     * at their commit times, up to the primary's last, and would move the start to about an hour before the primary
     * died, past refusals the standby never received): its newest outcome, or the backup's time where that is earlier
     * (a standby whose sink was off since before the backup). Null, from the beginning, for a standby without outcomes
     * and no backup.
     */
    static Instant refusalsSince(Instant standbyNewest, Manifest backup) {
        if (backup == null) {
            return standbyNewest;
        }
        return standbyNewest == null || backup.createdAt().isBefore(standbyNewest) ? backup.createdAt() : standbyNewest;
    }

    /**
     * Waits until primary and standby match; returns 0 then, or the difference in rows (at least 1: equal counts
     * with different content still differ) when the timeout passes.
     */
    static long withPrimary(Connection p, String standbyUrl, Duration timeout, OpsSettings s)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection st = s.connect(standbyUrl)) {
            // as ops verify does: two sides filtered by row-level security would match on empty tables
            VerifyCommand.rowSecurityOff(p);
            VerifyCommand.rowSecurityOff(st);
            DatabaseComparator comparator = new DatabaseComparator(DatabaseComparator.Scope.FULL);
            while (true) {
                ComparisonReport r = comparator.compare(p, st);
                if (r.matches()) {
                    System.out.println("failover: standby matches the primary: " + r);
                    return 0;
                }
                if (System.nanoTime() > deadline) {
                    System.out.println("failover: standby has not caught up after " + timeout + ":\n" + r);
                    return Math.max(1, Math.abs(comparator.digest(p).stream().mapToLong(d -> d.rows()).sum()
                            - comparator.digest(st).stream().mapToLong(d -> d.rows()).sum()));
                }
                Thread.sleep(500);
            }
        }
    }
}
