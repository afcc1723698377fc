package dev.agentfactory.bench.dr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.bench.Figures;
import dev.agentfactory.migrations.JdbcUrls;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.failover.FailoverCommand;
import dev.agentfactory.ops.replay.AuditReplay;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.store.replica.DatabaseComparator;
import dev.agentfactory.store.replica.TableDigest;

/**
 * {@code bin/bench dr}: backup of 1,000,000 rows, then a delta of writes published on the audit topics, then
 * the primary treated as lost: restore + replay into a new database, and failover of a standby that holds
 * the backup's state (the relay's standby lagging by the whole delta, its worst case). Lost writes are the
 * primary's writes missing from each recovered copy. Own databases and topics, removed afterwards.
 */
public final class DrBench {

    static final double TARGET_RESTORE_REPLAY_S = 60;

    private DrBench() {
    }

    /** {@code bin/bench dr [DELTA_WRITES]}: exits non-zero when the run fails. */
    public static void main(List<String> args) {
        try {
            run(System.getenv(), args.isEmpty() ? 50_000 : Integer.parseInt(args.get(0)));
        } catch (Exception e) {
            System.err.println("bench dr failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    public static void run(Map<String, String> env, int delta) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String db = "bench_dr_" + suffix;
        OpsSettings base = OpsSettings.fromEnvironment(env);
        String primary = JdbcUrls.withDatabase(base.dbUrl(), db);
        String standby = JdbcUrls.withDatabase(base.standbyUrl(), db);
        String restored = JdbcUrls.withDatabase(base.standbyUrl(), db + "_restored");
        String agentsTopic = "bench.dr." + suffix + ".audit.agents";
        String prdsTopic = "bench.dr." + suffix + ".audit.prds";
        OpsSettings s = new OpsSettings(primary, standby, base.user(), base.password(), base.kafka(),
                base.topics().withAudit(agentsTopic, prdsTopic), base.backupDir(), base.writerUser(),
                base.cdcLockKey());
        Path backups = Files.createTempDirectory("bench-dr-");
        Figures f = new Figures("dr");
        StackTopics.create(s.kafka().bootstrap(), Map.of(agentsTopic, 3, prdsTopic, 3));
        try {
            createDatabase(s, base.dbUrl(), db);
            new Migrations(MigrationSettings.fromEnvironment(env).withUrl(primary)).migrate();
            long t = System.nanoTime();
            try (Connection c = s.connect(primary)) {
                DrWorkload.seed(c);
                f.put("rows", DrWorkload.scalar(c, "SELECT (SELECT count(*) FROM factory.agents) + (SELECT count(*) "
                        + "FROM factory.agent_versions) + (SELECT count(*) FROM factory.agent_history) + (SELECT "
                        + "count(*) FROM factory.processed_events) + (SELECT count(*) FROM factory.audit_log)"), "rows");
            }
            System.out.printf("(seeded in %.1f s)%n", secondsSince(t));

            t = System.nanoTime();
            Path backup = BackupCommand.create(backups, primary, s);
            f.put("backup_s", secondsSince(t), "s");
            Manifest m = Manifest.read(backup);
            f.put("backup_bytes", m.tables().stream().mapToLong(Manifest.TableFile::bytes).sum(), "B");

            long writes;
            List<TableDigest> last;
            try (Connection c = s.connect(primary)) {
                f.put("delta_events", DrWorkload.delta(c, delta, s.kafka().bootstrap(), agentsTopic), "1");
                writes = DrWorkload.scalar(c, DrWorkload.WRITES);
                last = new DatabaseComparator(DatabaseComparator.Scope.REPLAYED).digest(c);
            }

            t = System.nanoTime();
            RestoreCommand.restore(backup, restored, s, env);
            f.put("restore_s", secondsSince(t), "s");
            long tr = System.nanoTime();
            ReplayCommand.replay(restored, m.auditOffsets(), null, s);
            f.put("replay_s", secondsSince(tr), "s");
            f.put("restore_replay_s", secondsSince(t), "s");
            f.put("restore_replay_target_s", TARGET_RESTORE_REPLAY_S, "s");

            RestoreCommand.restore(backup, standby, s, env); // the lagging standby, not timed
            FailoverCommand.Result r = FailoverCommand.failover(standby, null, backup,
                    java.time.Duration.ZERO, "bench_dr_" + suffix, "factory_cdc", null, false, s);
            f.put("failover_s", r.rtoSeconds(), "s");

            long lost = 0;
            int differing = 0;
            for (String url : List.of(restored, standby)) {
                try (Connection c = s.connect(url)) {
                    lost = Math.max(lost, writes - DrWorkload.scalar(c, DrWorkload.WRITES));
                    List<TableDigest> got = new DatabaseComparator(DatabaseComparator.Scope.REPLAYED).digest(c);
                    for (int i = 0; i < got.size(); i++) {
                        differing += got.get(i).equals(last.get(i)) ? 0 : 1;
                    }
                }
            }
            f.put("lost_writes", lost, "writes");
            f.put("lost_writes_target", 0, "writes");
            f.put("verify_differences", differing, "tables");
            System.out.println("(figures written to " + f.write(Figures.projectRoot()) + ")");
        } finally {
            try {
                cleanUp(s, base, db, suffix, backups);
            } finally {
                StackTopics.delete(s.kafka().bootstrap(), List.of(agentsTopic, prdsTopic));
            }
        }
    }

    private static void cleanUp(OpsSettings s, OpsSettings base, String db, String suffix, Path backups)
            throws Exception {
        try (Connection c = s.connect(JdbcUrls.withDatabase(base.standbyUrl(), "postgres")); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'bench_dr_"
                    + suffix + "'");
            st.execute("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
            st.execute("DROP DATABASE IF EXISTS \"" + db + "_restored\" WITH (FORCE)");
        }
        try (Connection c = s.connect(JdbcUrls.withDatabase(base.dbUrl(), "postgres")); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
        }
        try (var walk = Files.walk(backups)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void createDatabase(OpsSettings s, String clusterUrl, String db) throws Exception {
        try (Connection c = s.connect(JdbcUrls.withDatabase(clusterUrl, "postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + db + "\"");
        }
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
