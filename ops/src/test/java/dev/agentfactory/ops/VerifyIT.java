package dev.agentfactory.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.failover.FailoverCommand;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.relay.WorkerLikeWriter;
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

    private final String suffix = Long.toString(System.nanoTime() % 100_000_000L, 36);
    private final String left = "it_ops_verify_" + suffix + "_a";
    private final String right = "it_ops_verify_" + suffix + "_b";
    private StackEndpoints endpoints;
    private LocalStack stack;
    private Map<String, String> env;
    private String leftUrl;
    private String rightUrl;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        leftUrl = endpoints.primaryJdbcUrl(left);
        rightUrl = endpoints.primaryJdbcUrl(right);
        backups = Files.createTempDirectory("it-ops-verify");
        String agents = "it.ops.verify." + suffix + ".agents";
        String prds = "it.ops.verify." + suffix + ".prds";
        env = Map.of("FACTORY_DB_URL", leftUrl, "FACTORY_DB_OWNER_USER", endpoints.superuser(),
                "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword(), "FACTORY_KAFKA_BOOTSTRAP",
                endpoints.kafkaBootstrap(), "FACTORY_AUDIT_AGENTS_TOPIC", agents, "FACTORY_AUDIT_PRDS_TOPIC", prds,
                "FACTORY_BACKUP_DIR", backups.toString());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(agents, 1, (short) 1), new NewTopic(prds, 1, (short) 1))).all().get();
        }
        stack.primary().createDatabase(left);
        new Migrations(MigrationSettings.fromEnvironment(env).withUrl(leftUrl)).migrate();
        try (Connection c = connect(leftUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            List<UUID> ids = w.createAgents(50);
            w.updateAgents(ids);
            w.appendHistory(ids, 3);
            List<UUID> prdIds = w.createPrds(10, 500);
            w.link(prdIds, ids.subList(0, 10), false);
        }
        assertThat(BackupCommand.run(List.of(), env)).isZero();
        Path backup;
        try (var dirs = Files.list(backups)) {
            backup = dirs.filter(d -> d.getFileName().toString().startsWith("backup-")).findFirst().orElseThrow();
        }
        assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + rightUrl), env)).isZero();
    }

    @AfterAll
    void tearDown() throws Exception {
        stack.primary().dropDatabase(left);
        stack.primary().dropDatabase(right);
        try (var walk = Files.walk(backups)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void restoredCopyMatchesAndEveryKindOfDifferenceIsReportedByKey() throws Exception {
        assertThat(VerifyCommand.run(List.of("--left=" + leftUrl, "--right=" + rightUrl), env)).isZero();

        String changed;
        String removedSeq;
        try (Connection c = connect(rightUrl); Statement st = c.createStatement()) {
            changed = scalar(st, "SELECT id::text FROM factory.agents ORDER BY id LIMIT 1");
            st.execute("UPDATE factory.agents SET name = 'tampered' WHERE id = '" + changed + "'");
            removedSeq = scalar(st, "SELECT max(seq)::text FROM factory.agent_history");
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
        Path backup;
        try (var dirs = Files.list(backups)) {
            backup = dirs.filter(d -> d.getFileName().toString().startsWith("backup-")).findFirst().orElseThrow();
        }
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
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(RestoreCommand.run(List.of("--backup=" + newer, "--target=" + endpoints.primaryJdbcUrl(target)),
                    env)).isEqualTo(1);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("schema version 99 is not one this build's migrations know");
        try (Connection c = connect(endpoints.primaryJdbcUrl("postgres")); Statement st = c.createStatement()) {
            assertThat(scalar(st, "SELECT count(*)::text FROM pg_database WHERE datname = '" + target + "'"))
                    .isEqualTo("0");
        }
    }

    @Test
    void failoverRefusesAStandbyThatHasNotCaughtUpWithAReachablePrimary() throws Exception {
        String lagging = "it_ops_verify_" + suffix + "_lag";
        Path backup;
        try (var dirs = Files.list(backups)) {
            backup = dirs.filter(d -> d.getFileName().toString().startsWith("backup-")).findFirst().orElseThrow();
        }
        String laggingUrl = endpoints.primaryJdbcUrl(lagging);
        try {
            assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + laggingUrl), env)).isZero();
            try (Connection c = connect(leftUrl)) {
                new WorkerLikeWriter(c).createAgents(1);
            }
            assertThat(FailoverCommand.run(List.of("--standby=" + laggingUrl, "--primary=" + leftUrl,
                    "--timeout=1s", "--slot=it_ops_verify_" + suffix), env)).isEqualTo(1);
            try (Connection c = connect(laggingUrl); Statement st = c.createStatement()) {
                assertThat(scalar(st, "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = 'it_ops_verify_"
                        + suffix + "'")).isEqualTo("0");
            }
            try (Connection w = connectAsWriter(leftUrl)) {
                assertThat(writerCanInsert(w)).as("the refused failover lifted its fence").isTrue();
            }
        } finally {
            stack.primary().dropDatabase(lagging);
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
            try (Connection c = connect(copyUrl); Statement st = c.createStatement()) {
                assertThat(scalar(st, "SELECT database FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                        .isEqualTo(copy);
            }
            try (Connection w = connectAsWriter(leftUrl)) {
                assertThat(writerCanInsert(w)).as("the old primary stays fenced for the writer").isFalse();
            }
            try (Connection w = connectAsWriter(rightUrl)) {
                assertThat(writerCanInsert(w)).as("the fence holds one database only").isTrue();
            }
        } finally {
            try (Connection c = connect(leftUrl); Statement st = c.createStatement()) {
                st.execute("ALTER ROLE factory_writer IN DATABASE " + left + " RESET default_transaction_read_only");
            }
            try (Connection c = connect(leftUrl); Statement st = c.createStatement()) {
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                        + slot + "'");
            }
            stack.primary().dropDatabase(copy);
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

    private Connection connect(String url) throws Exception {
        return DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
    }

    private static String scalar(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
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
