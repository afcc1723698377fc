package dev.agentfactory.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.failover.FailoverCommand;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.relay.WorkerLikeWriter;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * verify and failover's catch-up check on the shared stack: a database restored from a backup of another
 * matches it; changed, missing and extra rows are each reported by key with exit code 1; a failover to a
 * standby that differs from a reachable primary is refused. Own databases and topics.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyIT {

    private final String suffix = OpsTestBed.suffix();
    private final String left = "it_ops_verify_" + suffix + "_a";
    private final String right = "it_ops_verify_" + suffix + "_b";
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private Map<String, String> env;
    private String leftUrl;
    private String rightUrl;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        leftUrl = endpoints.primaryJdbcUrl(left);
        rightUrl = endpoints.primaryJdbcUrl(right);
        backups = Files.createTempDirectory("it-ops-verify");
        String agents = "it.ops.verify." + suffix + ".agents";
        String prds = "it.ops.verify." + suffix + ".prds";
        env = new HashMap<>(bed.env(agents, prds));
        env.put("FACTORY_DB_URL", leftUrl);
        env.put("FACTORY_BACKUP_DIR", backups.toString());
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        bed.migratedDatabase(left);
        try (Connection c = bed.connect(leftUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            List<UUID> ids = w.createAgents(50);
            w.updateAgents(ids);
            w.appendHistory(ids, 3);
            List<UUID> prdIds = w.createPrds(10, 500);
            w.link(prdIds, ids.subList(0, 10), false);
        }
        assertThat(BackupCommand.run(List.of(), env)).isZero();
        assertThat(RestoreCommand.run(List.of("--backup=" + backup(), "--target=" + rightUrl), env)).isZero();
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(left);
        bed.dropDatabase(right);
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void restoredCopyMatchesAndEveryKindOfDifferenceIsReportedByKey() throws Exception {
        assertThat(VerifyCommand.run(List.of("--left=" + leftUrl, "--right=" + rightUrl), env)).isZero();

        String changed;
        String removedSeq;
        try (Connection c = bed.connect(rightUrl); Statement st = c.createStatement()) {
            changed = OpsTestBed.scalar(c, "SELECT id::text FROM factory.agents ORDER BY id LIMIT 1");
            st.execute("UPDATE factory.agents SET name = 'tampered' WHERE id = '" + changed + "'");
            removedSeq = OpsTestBed.scalar(c, "SELECT max(seq)::text FROM factory.agent_history");
            st.execute("DELETE FROM factory.agent_history WHERE seq = " + removedSeq);
            st.execute("INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset) "
                    + "VALUES ('extra', 't', 0, 1)");
        }
        String[] out = new String[1];
        int code = captureStdout(out, () -> VerifyCommand.run(List.of("--left=" + leftUrl, "--right=" + rightUrl), env));
        assertThat(code).isEqualTo(1);
        assertThat(out[0]).contains("3 table(s) differ")
                .contains(changed + " differs")
                .contains(removedSeq + " only on the left")
                .contains("(extra,t,0) only on the right");
    }

    @Test
    void aBackupFromANewerSchemaThanThisBuildKnowsIsRefusedAndLeavesNoDatabase() throws Exception {
        Path backup = backup();
        Path newer = Files.createDirectories(backups.resolve("newer-schema").resolve(backup.getFileName()));
        try (var files = Files.list(backup)) {
            for (Path f : files.toList()) {
                Files.copy(f, newer.resolve(f.getFileName()));
            }
        }
        Manifest m = Manifest.read(backup);
        new Manifest(m.format(), m.createdAt(), m.source(), m.snapshotLsn(), "99", m.auditOffsets(), m.tables())
                .write(newer);
        String target = "it_ops_verify_" + suffix + "_newer";
        String err = OpsTestBed.stderrOf(() -> assertThat(RestoreCommand.run(List.of("--backup=" + newer,
                "--target=" + endpoints.primaryJdbcUrl(target)), env)).isEqualTo(1));
        assertThat(err)
                .contains("schema version 99 is not one this build's migrations know");
        assertThat(bed.query(endpoints.primaryJdbcUrl("postgres"),
                "SELECT count(*)::text FROM pg_database WHERE datname = '" + target + "'")).isEqualTo("0");
    }

    @Test
    void failoverRefusesAStandbyThatHasNotCaughtUpWithAReachablePrimary() throws Exception {
        String lagging = "it_ops_verify_" + suffix + "_lag";
        Path backup = backup();
        String laggingUrl = endpoints.primaryJdbcUrl(lagging);
        try {
            assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + laggingUrl), env)).isZero();
            try (Connection c = bed.connect(leftUrl)) {
                new WorkerLikeWriter(c).createAgents(1);
            }
            assertThat(FailoverCommand.run(List.of("--standby=" + laggingUrl, "--primary=" + leftUrl,
                    "--timeout=1s", "--slot=it_ops_verify_" + suffix), env)).isEqualTo(1);
            assertThat(bed.query(laggingUrl, "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = "
                    + "'it_ops_verify_" + suffix + "'")).isEqualTo("0");
            try (Connection w = connectAsWriter(leftUrl)) {
                assertThat(writerCanInsert(w)).as("the refused failover lifted its fence").isTrue();
            }
        } finally {
            bed.dropDatabase(lagging);
        }
    }

    @Test
    void failoverPromotesAStandbyThatMatchesAReachablePrimary() throws Exception {
        String copy = "it_ops_verify_" + suffix + "_ok";
        String copyUrl = endpoints.primaryJdbcUrl(copy);
        String slot = "it_ops_verify_ok_" + suffix;
        Path fresh = backups.resolve("fresh");
        try {
            Path backup = BackupCommand.create(fresh, leftUrl, dev.agentfactory.ops.cli.OpsSettings.fromEnvironment(env));
            assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + copyUrl), env)).isZero();
            try (Connection before = connectAsWriter(leftUrl)) {
                assertThat(FailoverCommand.run(List.of("--standby=" + copyUrl, "--primary=" + leftUrl, "--timeout=5s",
                        "--slot=" + slot), env)).isZero();
                assertThatThrownBy(() -> writerCanInsert(before)).as("the writer's open session was ended")
                        .isInstanceOf(SQLException.class);
            }
            assertThat(bed.query(copyUrl, "SELECT database FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                    .isEqualTo(copy);
            try (Connection w = connectAsWriter(leftUrl)) {
                assertThat(writerCanInsert(w)).as("the old primary stays fenced for the writer").isFalse();
            }
            try (Connection w = connectAsWriter(rightUrl)) {
                assertThat(writerCanInsert(w)).as("the fence holds one database only").isTrue();
            }
        } finally {
            bed.execute(leftUrl, "ALTER ROLE factory_writer IN DATABASE " + left + " RESET default_transaction_read_only");
            bed.execute(leftUrl, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                    + slot + "'");
            bed.dropDatabase(copy);
        }
    }

    private Connection connectAsWriter(String url) throws Exception {
        return DriverManager.getConnection(url, "factory_writer",
                MigrationSettings.fromEnvironment(env).writerPassword());
    }

    /** True when the writer could insert (the row is rolled back); false when its session is read-only (25006). */
    private static boolean writerCanInsert(Connection writer) throws SQLException {
        writer.setAutoCommit(false);
        try (Statement st = writer.createStatement()) {
            st.execute("INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset) "
                    + "VALUES ('fence-probe', 't', 0, 0)");
            return true;
        } catch (SQLException e) {
            if ("25006".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        } finally {
            writer.rollback();
        }
    }

    private Path backup() throws Exception {
        try (var dirs = Files.list(backups)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("backup-")).findFirst().orElseThrow();
        }
    }

    private static int captureStdout(String[] out, Callable<Integer> body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            return body.call();
        } finally {
            System.setOut(old);
            out[0] = buf.toString();
            old.print(out[0]);
        }
    }
}
