package dev.agentfactory.ops.backup;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.postgresql.PGConnection;

import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.store.replica.DatabaseComparator;
import dev.agentfactory.store.replica.TableDigest;
import dev.agentfactory.store.replica.TableSpec;


/**
 * Writes every factory table from one REPEATABLE READ, READ ONLY transaction: all files, counts and content
 * hashes describe the same snapshot, and the WAL LSN is read by the statement that takes it. Tables leave as
 * {@code COPY ... TO STDOUT} text through gzip, hashed as they are written, without holding rows in memory.
 * <p>
 * As pg_dump does, every table is locked ({@code ACCESS SHARE}) before anything takes the snapshot. A table is
 * otherwise locked only when its digest reaches it, and DDL committed in between breaks the snapshot's promise:
 * a table rewrite ({@code ALTER … TYPE}, a volatile default) is not MVCC-safe and the older snapshot sees the table
 * empty (a self-consistent backup without its rows), and a column added makes {@code t::text} use the new row type
 * while the columns are read under the snapshot, so the content hash no longer matches at restore. With the locks
 * taken first, such DDL either committed before the snapshot or cannot commit until the backup ends (a migration
 * gives up after its own 10 s lock_timeout and rolls back whole).
 */
final class SnapshotBackup {

    static final String POSITION_SQL = "SELECT pg_current_wal_lsn()::text, "
            + "(SELECT version FROM " + Migrations.HISTORY_SCHEMA + ".flyway_schema_history"
            + " WHERE success ORDER BY installed_rank DESC LIMIT 1)";
    /**
     * The longest the backup waits for its table locks. DDL normally holds its lock for seconds; one that holds it
     * longer (a migration stuck behind another session) fails the backup with the reason rather than hang it until
     * the scheduler's timeout, and the next run takes it.
     */
    static final Duration LOCK_TIMEOUT = Duration.ofMinutes(1);
    static final String LOCK_SQL = "SET LOCAL lock_timeout = %d; LOCK TABLE %s IN ACCESS SHARE MODE";
    /** PostgreSQL's lock_not_available, what a lock_timeout ends a wait with. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    /**
     * As pg_dump sets it: a role under row-level security (SELECT granted, no policy, no BYPASSRLS) would otherwise
     * read the factory tables, every one of which has RLS enabled, as empty, and write a complete-looking backup without
     * their rows. Off, such a read fails (42501, "query would be affected by row-level security policy"); the owner
     * and superusers, whom RLS does not filter, are unaffected.
     */
    static final String ROW_SECURITY_OFF_SQL = "SET LOCAL row_security = off";
    static final String COLUMNS_SQL = "SELECT column_name FROM information_schema.columns "
            + "WHERE table_schema = 'factory' AND table_name = ? ORDER BY ordinal_position";

    private SnapshotBackup() {
    }

    static Manifest write(Connection c, Path dir, String source, Map<String, Map<Integer, Long>> auditOffsets)
            throws Exception {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try {
            DatabaseComparator comparator = new DatabaseComparator(DatabaseComparator.Scope.FULL);
            try (Statement st = c.createStatement()) {
                st.execute(ROW_SECURITY_OFF_SQL);
            }
            lock(c, comparator.tables());
            String lsn;
            String schemaVersion;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(POSITION_SQL)) {
                rs.next();
                lsn = rs.getString(1);
                schemaVersion = rs.getString(2);
            }
            Instant taken = Instant.now();
            List<TableDigest> digests = comparator.digest(c);
            List<Manifest.TableFile> files = new ArrayList<>();
            for (TableDigest d : digests) {
                files.add(copyOut(c, dir, TableSpec.named(d.table()), d));
            }
            c.commit();
            return new Manifest(Manifest.FORMAT, taken, source, lsn, schemaVersion, auditOffsets, files);
        } catch (Exception e) {
            c.rollback();
            throw e;
        }
    }

    /** Locks the tables in the transaction's first statement, before the snapshot is taken ({@link #LOCK_TIMEOUT}). */
    static void lock(Connection c, List<TableSpec> tables) throws SQLException {
        String names = String.join(", ", tables.stream().map(TableSpec::qualified).toList());
        try (Statement st = c.createStatement()) {
            st.execute(LOCK_SQL.formatted(LOCK_TIMEOUT.toMillis(), names));
        } catch (SQLException e) {
            if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw new OpsException("could not lock the factory tables within " + LOCK_TIMEOUT.toSeconds()
                        + " s: a migration or other DDL holds one of them (" + e.getMessage() + "); run the backup "
                        + "again once it is done", e);
            }
            throw e;
        }
    }

    private static Manifest.TableFile copyOut(Connection c, Path dir, TableSpec t, TableDigest d) throws Exception {
        List<String> columns = columns(c, t);
        String file = t.name() + ".copy.gz";
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long rows;
        try (OutputStream out = fastGzip(new DigestOutputStream(
                new BufferedOutputStream(Files.newOutputStream(dir.resolve(file)), 1 << 16), sha))) {
            rows = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + t.qualified() + " ("
                    + String.join(", ", columns.stream().map(col -> "\"" + col + "\"").toList()) + ") TO STDOUT", out);
        }
        if (rows != d.rows()) {
            throw new SQLException("COPY of " + t.qualified() + " wrote " + rows + " rows, the snapshot counted "
                    + d.rows());
        }
        return new Manifest.TableFile(t.name(), file, columns, rows, d.contentHash(),
                HexFormat.of().formatHex(sha.digest()), Files.size(dir.resolve(file)));
    }

    /** Level 1: several times faster than the default, and COPY text still shrinks to a fraction. */
    private static OutputStream fastGzip(OutputStream out) throws java.io.IOException {
        return new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_SPEED);
            }
        };
    }

    static List<String> columns(Connection c, TableSpec t) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS_SQL)) {
            ps.setString(1, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
