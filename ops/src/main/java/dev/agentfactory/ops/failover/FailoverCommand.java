package dev.agentfactory.ops.failover;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.migrations.JdbcUrls;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.Command;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.UsageException;

/**
 * {@code ops failover [--standby=URL] [--primary=URL | --primary-lost (--backup=DIR | --from-beginning)]
 * [--timeout=60s] [--slot=factory_cdc] [--publication=factory_cdc] [--writer=ROLE] [--no-fence] [--force]}: checks
 * the standby has caught up, promotes it and prints what the services must point at, with the measured RPO (committed
 * writes the standby lacks) and RTO (this command's duration). With the primary reachable (a planned switchover)
 * the services' writer role is fenced there first ({@link Fence}), then the standby must match the primary
 * table by table; the fence stays after a promotion and is lifted when the command refuses, fails or is stopped
 * before promoting ({@link FenceGuard}). With {@code --no-fence} the operator has stopped the writer instead, and the
 * command refuses while a session of it is open on the primary ({@link WriterSessions}). Only when the
 * operator says {@code --primary-lost} are the audit topics replayed onto the standby instead, from the backup's
 * offsets, and it must hold every version and history entry they record from there. First, though, it must not be
 * behind the backup ({@link BackupCoverage}): what it lacks of before the backup (its sink was off across it) the
 * replay from the backup's offsets would neither bring nor count, so such a standby is refused before anything is
 * replayed, unless {@code --force} (those writes then count in the RPO). Replaying from the beginning
 * must be asked for ({@code --from-beginning}): a {@code --backup} left out or empty (an unset variable) is a usage
 * error, since the topics' history may reach back before an earlier failover, another cluster's. A {@code --primary}
 * that cannot be reached is refused, never taken for lost, since a typo in its URL would otherwise promote the
 * standby beside a primary that is alive and unfenced.
 */
public final class FailoverCommand {

    /** What a failover measured. */
    public record Result(long lostWrites, double rtoSeconds) {
    }

    /**
     * The services' writer role on a reachable primary: fenced there ({@code fence}), or, with {@code --no-fence},
     * stopped by the operator, which the command checks ({@link WriterSessions}).
     */
    public record Writer(String role, boolean fence) {
    }

    /** Could not connect (refused, timed out, connection lost) or no such database: the primary was not reached. */
    private static final Set<String> UNREACHABLE = Set.of("08001", "08004", "08006", "3D000");

    private FailoverCommand() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        return Command.run("failover", args, env, (a, s) -> {
            Options o = Options.parse(a, Set.of("standby", "primary", "primary-lost", "backup", "from-beginning",
                    "timeout", "slot", "publication", "writer", "no-fence", "force"));
            if (o.flag("primary-lost") && o.get("primary", null) != null) {
                throw new UsageException("--primary and --primary-lost exclude each other: name the primary to fence "
                        + "and compare with, or say it is lost");
            }
            Path backup = replayStart(o);
            failover(o.get("standby", s.standbyUrl()), o.flag("primary-lost") ? null : o.get("primary", s.dbUrl()),
                    backup, o.duration("timeout", Duration.ofSeconds(60)), o.get("slot", "factory_cdc"),
                    o.get("publication", "factory_cdc"), new Writer(o.get("writer", s.writerUser()),
                            !o.flag("no-fence")), o.flag("force"), s);
            return 0;
        });
    }

    /**
     * The backup whose offsets a {@code --primary-lost} replay starts from, or null for {@code --from-beginning};
     * one of the two is required there, and neither goes with a reachable primary.
     */
    private static Path replayStart(Options o) {
        String backup = o.optional("backup");
        boolean fromBeginning = o.flag("from-beginning");
        if (!o.flag("primary-lost")) {
            if (backup != null || fromBeginning) {
                throw new UsageException("--backup and --from-beginning say where --primary-lost replays the audit "
                        + "topics from; a switchover with the primary reachable replays nothing");
            }
            return null;
        }
        if (backup != null && fromBeginning) {
            throw new UsageException("--backup and --from-beginning exclude each other");
        }
        if (backup == null && !fromBeginning) {
            throw new UsageException("--primary-lost needs --backup=DIR, the newest backup of the lost primary (the "
                    + "replay starts from its audit offsets), or, only if no backup of it exists, --from-beginning "
                    + "(never across an earlier failover: docs/runbooks.md)");
        }
        return backup == null ? null : Path.of(backup);
    }

    /**
     * @param primaryUrl  the primary to fence and compare with, which must be reachable; null when the operator
     *                    declared it lost (the audit topics are then the reference)
     * @param backup      with the primary lost, the backup (its directory) the standby must not be behind, whose
     *                    audit offsets the replay and the loss check start from; null: from the topics' beginning
     * @param writer      the services' writer role on the primary, fenced there or checked to have no session left
     *                    (null: neither, for a primary declared lost)
     * @param force       promote although the standby lacks committed writes: ones the loss check counted, or, with
     *                    the primary lost, ones from before the backup (a standby behind it), counted in the RPO then
     */
    public static Result failover(String standbyUrl, String primaryUrl, Path backup,
                                  Duration timeout, String slot, String publication, Writer writer,
                                  boolean force, OpsSettings s) throws Exception {
        long t0 = System.nanoTime();
        Manifest manifest = backup == null ? null : Manifest.read(backup);
        Connection primary = primaryUrl == null ? null : connectPrimary(primaryUrl, s);
        boolean fence = primary != null && writer != null && writer.fence();
        boolean stopped = primary != null && writer != null && !writer.fence();
        String role = writer == null ? null : writer.role();
        try (primary; FenceGuard guard = new FenceGuard(primaryUrl, role, s)) {
            try (Connection c = s.connect(standbyUrl)) {
                Promotion.checkPromotable(c, slot);
            }
            boolean fenced = false;
            try {
                if (fence) {
                    raise(primary, role, timeout, guard);
                    fenced = true;
                }
                if (stopped) {
                    WriterSessions.refuseOpen(primary, role);
                }
                // a standby behind the backup is refused before the replay, which cannot bring what it lacks
                long lost = primary != null ? CatchUp.withPrimary(primary, standbyUrl, timeout, s)
                        : (backup == null ? 0 : CatchUp.behindTheBackup(standbyUrl, backup, manifest, force, s))
                                + CatchUp.withAuditTopics(standbyUrl, manifest, s);
                if (lost > 0 && !force) {
                    throw new OpsException("the standby lacks " + lost + " committed writes; not promoted (--force to accept)");
                }
                if (stopped) { // a worker or pool that came back during the catch-up writes past the match
                    WriterSessions.refuseOpen(primary, role);
                }
                guard.promoting();
                try (Connection c = s.connect(standbyUrl)) {
                    Promotion.promote(c, publication, slot);
                }
                return promoted(lost, (System.nanoTime() - t0) / 1e9, standbyUrl, slot, publication, fenced);
            } catch (Exception e) {
                if (fenced && guard.takeLift()) { // not promoted: the primary stays one, its writer may write again
                    Fence.liftAfter(primary, role, e);
                }
                throw e;
            }
        }
    }

    private static Result promoted(long lost, double rto, String standbyUrl, String slot, String publication,
                                   boolean fenced) {
        System.out.printf("failover: standby promoted. RPO %d committed writes lost, RTO %.1f s (check + promotion).%n%s",
                lost, rto, servicesSettings(standbyUrl, slot, publication));
        if (fenced) {
            System.out.println("The old primary stays fenced; drop its replication slot once the relay has moved.");
        }
        return new Result(lost, rto);
    }

    /**
     * What the services must be set to after a promotion. The relay's standby sink is turned off by
     * FACTORY_STANDBY_ENABLED: an unset FACTORY_STANDBY_DB_URL would point it at the local stack's default. The role
     * names are the standby's own: a primary behind Supabase's pooler is reached as {@code <role>.<project ref>},
     * which the standby's server knows no user by.
     */
    static String servicesSettings(String standbyUrl, String slot, String publication) {
        return """
                Point the services at it:
                  FACTORY_DB_URL=%s
                  FACTORY_DB_WRITER_USER=factory_writer FACTORY_DB_READER_USER=factory_reader \
                FACTORY_DB_REPLICATOR_USER=factory_replicator   (the roles as the standby names them, with its \
                passwords for them, and its owner's for the jobs: docs/runbooks.md)
                  FACTORY_CDC_SLOT=%s FACTORY_CDC_PUBLICATION=%s
                  FACTORY_STANDBY_ENABLED=false   (the relay's standby sink, until a new standby is built from a \
                backup of this primary: docs/runbooks.md)
                """.formatted(JdbcUrls.redacted(standbyUrl), slot, publication);
    }

    /**
     * The primary named by the operator (or FACTORY_DB_URL). One that cannot be reached is refused rather than taken
     * for lost: "unreachable" is also what a mistyped host, port or database looks like, and the primary-lost path
     * neither fences nor compares, so only the operator may choose it, after fencing the old primary by other means.
     */
    private static Connection connectPrimary(String primaryUrl, OpsSettings s) throws SQLException {
        try {
            return s.connect(primaryUrl);
        } catch (SQLException e) {
            if (UNREACHABLE.contains(e.getSQLState())) {
                throw new OpsException("primary " + JdbcUrls.redacted(primaryUrl) + " unreachable (" + e.getMessage()
                        + "): fence it yourself, then rerun with --primary-lost", e);
            }
            throw e;
        }
    }

    private static void raise(Connection primary, String writer, Duration timeout, FenceGuard guard)
            throws InterruptedException {
        try {
            Fence.raise(primary, writer, timeout, guard::arm);
        } catch (SQLException e) {
            throw new OpsException("could not fence " + writer + " on the primary (" + e.getMessage() + "); stop the "
                    + "ingest worker yourself and run again with --no-fence", e);
        }
    }
}
