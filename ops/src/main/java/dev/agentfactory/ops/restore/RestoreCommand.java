package dev.agentfactory.ops.restore;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.postgresql.PGConnection;

import dev.agentfactory.migrations.JdbcUrls;
import dev.agentfactory.migrations.MigrationException;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.Command;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.store.replica.DatabaseComparator;
import dev.agentfactory.store.replica.IdentitySequences;
import dev.agentfactory.store.replica.ReplicaSession;
import dev.agentfactory.store.replica.TableDigest;
import dev.agentfactory.store.replica.TableSpec;

/**
 * {@code ops restore --backup=DIR --target=URL}: a verified backup into an empty or new database. The files
 * are checked against the manifest before anything is written. Then ONE transaction migrates the target to the
 * schema the backup was taken at, loads every table with COPY, checks row counts and content hashes against the
 * manifest, moves the identity sequences on, and runs the migrations since the backup over the restored rows.
 *
 * <p>Why one transaction: every migration we ship is transactional DDL (no {@code CONCURRENTLY}, no
 * {@code VACUUM}; roles and publications are transactional too), so PostgreSQL can undo all of it exactly,
 * which the paired U scripts cannot promise (U4_1 changes a cluster-wide role, a rollback can fail half-way, and
 * it would leave Flyway's history and rollback records behind). A migration that cannot run in a transaction is
 * refused before anything is applied. So a failure leaves a pre-existing target as the restore found it (empty,
 * at its prior schema version), and a database the restore created is dropped.
 */
public final class RestoreCommand {

    static final String END_REPLICA_MODE = "SET LOCAL session_replication_role = origin";
    static final String CLEAR_PURGE_FLOORS = "DO $$ BEGIN IF to_regclass('factory.cdc_purge_floors') IS NOT NULL THEN "
            + "DELETE FROM factory.cdc_purge_floors; END IF; END $$";

    private RestoreCommand() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        return Command.run("restore", args, env, (a, s) -> {
            Options o = Options.parse(a, Set.of("backup", "target"));
            restore(Path.of(o.required("backup")), o.required("target"), s, env);
            return 0;
        });
    }

    public static Manifest restore(Path backup, String targetUrl, OpsSettings s, Map<String, String> env)
            throws Exception {
        long t0 = System.nanoTime();
        MigrationSettings settings = targetSettings(env, targetUrl);
        Manifest m = BackupCheck.verify(backup);
        Migrations migrations = new Migrations(settings);
        TargetDatabase target = new TargetDatabase(s, settings.url(), migrations);
        target.prepare();
        long later;
        try {
            String version = knownVersion(m, migrations);
            MigrationVersion at = MigrationVersion.fromVersion(version);
            target.refuseIfPast(at);
            later = migrations.info().stream().filter(i -> i.getState() == MigrationState.PENDING)
                    .filter(i -> i.getVersion() != null && i.getVersion().isNewerThan(at)).count();
            // The backup's schema first, so its rows load as they were taken; then the migrations since then run
            // over the restored rows, as they ran over the source's; all of it commits together or not at all. The
            // unit is retried whole when it loses a role update to another database's migrator, so load reopens the
            // backup's files on every run and its one non-transactional effect, setval, is absolute.
            migrations.migrateInOneTransaction(version, c -> load(c, backup, m));
        } catch (Exception e) {
            throw new OpsException(reason(e) + "; " + target.afterFailure(), e);
        }
        if (later > 0) {
            System.out.println("restore: applied " + later + " migration(s) newer than the backup's schema "
                    + m.schemaVersion());
        }
        System.out.printf("restore: %d rows into %s, counts and content hashes match the manifest, %.1f s%n",
                m.tables().stream().mapToLong(Manifest.TableFile::rows).sum(), JdbcUrls.redacted(settings.url()),
                (System.nanoTime() - t0) / 1e9);
        return m;
    }

    /**
     * The migrations' settings for the target itself, not for FACTORY_DB_URL: the target's V1 creates
     * factory_writer, factory_reader and factory_replicator with these passwords and no later migration alters an
     * existing role, so a target off this machine must not get the local stack's well-known defaults (refused here,
     * before anything is read or written). The FACTORY_DB_SSL* defaults describe FACTORY_DB_URL's server: a target
     * on that server gets those it does not set itself; a target elsewhere (the standby, a new instance) gets none,
     * since the primary's CA or client certificate and key are not that server's: its URL carries its own.
     */
    static MigrationSettings targetSettings(Map<String, String> env, String targetUrl) {
        String primary = env.get("FACTORY_DB_URL");
        boolean primaryServer = primary != null && !primary.isBlank() && !targetUrl.isBlank()
                && JdbcUrls.servers(primary).equals(JdbcUrls.servers(targetUrl));
        try {
            return MigrationSettings.forDatabase(env, targetUrl, "--target", primaryServer);
        } catch (MigrationException e) {
            throw new OpsException("restore target: " + e.getMessage(), e);
        }
    }

    /** The operator's reason: an ops refusal as written, anything else (a failed migration) with its type. */
    private static String reason(Exception e) {
        return e instanceof OpsException ? e.getMessage() : e.toString();
    }

    /** The backup's schema version, refused unless this build has that migration (a backup from a newer build). */
    private static String knownVersion(Manifest m, Migrations migrations) {
        List<MigrationInfo> known = migrations.info();
        MigrationVersion wanted = MigrationVersion.fromVersion(m.schemaVersion());
        if (known.stream().noneMatch(i -> wanted.equals(i.getVersion()))) {
            throw new OpsException("the backup's schema version " + m.schemaVersion() + " is not one this build's "
                    + "migrations know (newest: " + known.get(known.size() - 1).getVersion() + "); restore it with the "
                    + "ops build that took it, or a newer one");
        }
        return m.schemaVersion();
    }

    /** Loads the backup's rows inside the caller's transaction (neither commits nor rolls back). */
    private static void load(Connection c, Path backup, Manifest m) throws Exception {
        // one consistent snapshot: foreign keys and triggers have nothing to catch, and the load runs faster
        boolean replica = ReplicaSession.enter(c);
        for (TableSpec t : TableSpec.FACTORY) {
            Manifest.TableFile f = m.tables().stream().filter(x -> x.table().equals(t.name())).findFirst()
                    .orElseThrow();
            long rows;
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(
                    Files.newInputStream(backup.resolve(f.file())), 1 << 16), 1 << 16)) {
                rows = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + t.qualified() + " ("
                        + String.join(", ", f.columns().stream().map(col -> "\"" + col + "\"").toList())
                        + ") FROM STDIN", in);
            }
            if (rows != f.rows()) {
                throw new OpsException(f.file() + " holds " + rows + " rows, the manifest says " + f.rows());
            }
        }
        for (TableDigest d : new DatabaseComparator(DatabaseComparator.Scope.FULL).digest(c)) {
            Manifest.TableFile f = m.tables().stream().filter(x -> x.table().equals(d.table())).findFirst()
                    .orElseThrow();
            if (!d.contentHash().equals(f.contentHash())) {
                throw new OpsException("restored " + d.table() + " has content hash " + d.contentHash()
                        + ", the backup recorded " + f.contentHash());
            }
        }
        // The standby's purge floors (V4_5) are LSNs of the primary a relay streamed into this database before:
        // meaningless against the next one's, they could make its standby sink skip changes. A backup holds none.
        try (Statement st = c.createStatement()) {
            st.execute(CLEAR_PURGE_FLOORS);
        }
        IdentitySequences.advance(c);
        if (replica) {
            // the later migrations share this transaction and must run with triggers on, as they did on the source
            try (Statement st = c.createStatement()) {
                st.execute(END_REPLICA_MODE);
            }
        }
    }
}
