package dev.agentfactory.ops.failover;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.Command;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.replay.AuditReplay;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.store.replica.ComparisonReport;
import dev.agentfactory.store.replica.DatabaseComparator;

/**
 * {@code ops failover [--standby=URL] [--primary=URL | --primary-lost [--backup=DIR]] [--timeout=60s]
 * [--slot=factory_cdc] [--publication=factory_cdc] [--force]}: checks the standby has caught up, promotes it
 * and prints what the services must point at, with the measured RPO (committed writes the standby lacks) and
 * RTO (this command's duration). With the primary reachable (writes stopped first) the standby must match it
 * table by table; with the primary lost, the audit topics are replayed onto the standby (from the backup's
 * offsets, else from the beginning) and it must hold every version and history entry they record.
 */
public final class FailoverCommand {

    /** What a failover measured. */
    public record Result(long lostWrites, double rtoSeconds) {
    }

    private FailoverCommand() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        return Command.run("failover", args, env, (a, s) -> {
            Options o = Options.parse(a, Set.of("standby", "primary", "primary-lost", "backup", "timeout", "slot",
                    "publication", "force"));
            Map<String, Map<Integer, Long>> from = o.get("backup", null) == null ? AuditReplay.fromBeginning()
                    : Manifest.read(Path.of(o.get("backup", null))).auditOffsets();
            failover(o.get("standby", s.standbyUrl()), o.flag("primary-lost") ? null : o.get("primary", s.dbUrl()),
                    from, o.duration("timeout", Duration.ofSeconds(60)), o.get("slot", "factory_cdc"),
                    o.get("publication", "factory_cdc"), o.flag("force"), s);
            return 0;
        });
    }

    public static Result failover(String standbyUrl, String primaryUrl, Map<String, Map<Integer, Long>> from,
                                  Duration timeout, String slot, String publication, boolean force, OpsSettings s)
            throws Exception {
        long t0 = System.nanoTime();
        long lost = primaryUrl != null ? caughtUpWithPrimary(standbyUrl, primaryUrl, timeout, s) : -1;
        if (lost < 0) {
            AuditTopics topics = new AuditTopics(s.kafkaBootstrap(), List.of(s.agentsAuditTopic(), s.prdsAuditTopic()));
            ReplayCommand.replay(standbyUrl, from, null, s);
            try (Connection c = s.connect(standbyUrl)) {
                lost = AuditCoverage.missing(topics, c);
            }
            System.out.println("failover: checked against the audit topics' end: " + lost + " committed writes missing");
        }
        if (lost > 0 && !force) {
            throw new OpsException("the standby lacks " + lost + " committed writes; not promoted (--force to accept)");
        }
        try (Connection c = s.connect(standbyUrl)) {
            Promotion.promote(c, publication, slot);
        }
        double rto = (System.nanoTime() - t0) / 1e9;
        System.out.printf("""
                failover: standby promoted. RPO %d committed writes lost, RTO %.1f s (check + promotion).
                Point the services at it:
                  FACTORY_DB_URL=%s
                  FACTORY_CDC_SLOT=%s FACTORY_CDC_PUBLICATION=%s
                  FACTORY_STANDBY_DB_URL=<unset: the relay's standby sink stays off until a new standby is \
                built from a backup of this primary (docs/runbooks.md)>
                """, lost, rto, standbyUrl, slot, publication);
        return new Result(lost, rto);
    }

    /**
     * Waits until primary and standby match; returns 0 then, the difference in rows (at least 1: equal counts
     * with different content still differ) when the timeout passes, or -1 when the primary cannot be reached
     * (the check falls back to the audit topics).
     */
    private static long caughtUpWithPrimary(String standbyUrl, String primaryUrl, Duration timeout, OpsSettings s)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection p = s.connect(primaryUrl); Connection st = s.connect(standbyUrl)) {
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
        } catch (SQLException e) {
            if ("08001".equals(e.getSQLState()) || "08006".equals(e.getSQLState()) || "3D000".equals(e.getSQLState())) {
                System.out.println("failover: primary unreachable (" + e.getMessage() + "); checking the audit topics");
                return -1;
            }
            throw e;
        }
    }
}
