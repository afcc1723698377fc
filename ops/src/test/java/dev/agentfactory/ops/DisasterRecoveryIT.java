package dev.agentfactory.ops;

import static dev.agentfactory.ops.OpsTestBed.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.failover.FailoverCommand;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.relay.RelayProcess;
import dev.agentfactory.relay.WorkerLikeWriter;
import dev.agentfactory.store.replica.DatabaseComparator;
import dev.agentfactory.store.replica.TableDigest;
import dev.agentfactory.stack.StackTopics;

/**
 * The DR drill on a private local stack with the real CDC relay (the packaged jar as a child process) feeding
 * the audit topics and the standby: 20,000 writes, backup, 5,000 more, the primary destroyed (stopped hard,
 * data directory deleted). The standby's sink is turned off part-way through the last 5,000 (the relay goes on
 * publishing them), so the standby lags the audit topics as it does when a primary dies under load. Then restore +
 * replay into a new database, and failover to the standby with the backup: its catch-up replay from the backup's
 * offsets must bring what the standby lacks; both must hold all 25,000 effects and match the primary's last state.
 * A corrupted backup is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DisasterRecoveryIT {

    private static final String DB = "it_ops_dr";
    private static final String SLOT = "it_ops_dr";

    private final Path work = Path.of("target", "dr-it").toAbsolutePath();
    private PrivateStack privateStack;
    private OpsTestBed bed;
    private RelayProcess relay;
    private final Map<String, String> env = new HashMap<>();
    private Path backup;
    private List<TableDigest> lastPrimaryState;
    private long writesBeforeBackup;
    private long writesAtLoss;

    @BeforeAll
    void drill() throws Exception {
        OpsTestBed.deleteRecursively(work);
        Files.createDirectories(work);
        privateStack = PrivateStack.start(work.resolve("stack"));
        var e = privateStack.endpoints;
        bed = new OpsTestBed(e, privateStack.stack);
        bed.migratedDatabase(DB);
        privateStack.stack.standby().createDatabase(DB);
        bed.migrate(e.standbyJdbcUrl(DB));
        env.putAll(Map.of("FACTORY_DB_URL", e.primaryJdbcUrl(DB), "FACTORY_STANDBY_DB_URL", e.standbyJdbcUrl(DB),
                "FACTORY_DB_OWNER_USER", e.superuser(), "FACTORY_DB_OWNER_PASSWORD", e.superuserPassword(),
                "FACTORY_KAFKA_BOOTSTRAP", e.kafkaBootstrap(), "FACTORY_CDC_AGENTS_AUDIT_TOPIC", "it.ops.audit.agents",
                "FACTORY_CDC_PRDS_AUDIT_TOPIC", "it.ops.audit.prds", "FACTORY_BACKUP_DIR", work.resolve("backups").toString()));
        StackTopics.create(e.kafkaBootstrap(), Map.of("it.ops.audit.agents", 3, "it.ops.audit.prds", 3));
        relay = RelayProcess.start("ops-dr", relayProperties(true));
        awaitRelayStreaming();

        long t0 = System.nanoTime();
        WorkerLikeWriter w = new WorkerLikeWriter(primary());
        List<UUID> agents = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            agents.addAll(w.createAgents(200));
        }
        List<UUID> prds = w.createPrds(200, 3000);
        for (int round = 0; round < 4; round++) {
            w.updateAgents(agents);
        }
        w.updateAgents(agents.subList(0, 1200));
        for (int i = 0; i < 4; i++) {
            w.appendHistory(agents.subList(i * 500, i * 500 + 500), 4);
        }
        w.advancePrds(prds);
        w.advancePrds(prds);
        link(w, prds, agents, 0, 400, false);
        writesBeforeBackup = writes();
        assertThat(writesBeforeBackup).isEqualTo(20_000);
        System.out.printf("drill: %d writes in %.1f s%n", writesBeforeBackup, (System.nanoTime() - t0) / 1e9);

        // a backup while the relay is caught up, so the recorded offsets sit mid-stream and the replay must
        // pick up exactly the later events (the lagging case is the same code with earlier offsets)
        awaitRelayConfirmed(bed.query(env.get("FACTORY_DB_URL"), "SELECT pg_current_wal_lsn()::text"));
        assertThat(BackupCommand.run(List.of(), env)).isZero();
        try (Stream<Path> dirs = Files.list(work.resolve("backups"))) {
            backup = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }

        w.updateAgents(agents);
        w.appendHistory(agents.subList(0, 500), 4);
        link(w, prds, agents, 0, 100, true);
        // the standby stops here: the relay is restarted without its standby sink and goes on publishing
        awaitRelayConfirmed(bed.query(env.get("FACTORY_DB_URL"), "SELECT pg_current_wal_lsn()::text"));
        relay.stop();
        relay = RelayProcess.start("ops-dr", relayProperties(false));
        awaitRelayStreaming();
        w.deleteAgents(agents.subList(1900, 2000));
        agents.addAll(w.createAgents(500));
        w.advancePrds(prds);
        link(w, prds, agents, 2000, 100, false);
        writesAtLoss = writes();
        assertThat(writesAtLoss).isEqualTo(25_000);

        String lastLsn = bed.query(env.get("FACTORY_DB_URL"), "SELECT pg_current_wal_lsn()::text");
        awaitRelayConfirmed(lastLsn);
        try (Connection p = primary()) {
            lastPrimaryState = new DatabaseComparator(DatabaseComparator.Scope.REPLAYED).digest(p);
        }
        relay.kill();
        privateStack.stack.primary().destroy();
        assertThat(privateStack.stack.primary().dataDir()).doesNotExist();
        System.out.printf("drill: primary destroyed after %d writes, relay confirmed through %s%n", writesAtLoss, lastLsn);
    }

    @AfterAll
    void tearDown() throws Exception {
        if (relay != null && relay.alive()) {
            relay.kill();
        }
        if (privateStack != null) {
            privateStack.stop();
        }
    }

    @Test
    @Order(1)
    void restoreAndReplayRecoverEveryCommittedWriteAfterThePrimaryIsLost() throws Exception {
        String restored = privateStack.endpoints.standbyJdbcUrl("it_ops_restored");
        long t0 = System.nanoTime();
        assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + restored), env)).isZero();
        try (Connection c = bed.connect(restored)) {
            assertThat(writes(c)).as("writes in the backup").isEqualTo(writesBeforeBackup);
        }
        assertThat(ReplayCommand.run(List.of("--backup=" + backup, "--target=" + restored), env)).isZero();
        double seconds = (System.nanoTime() - t0) / 1e9;
        try (Connection c = bed.connect(restored)) {
            long lost = writesAtLoss - writes(c);
            System.out.printf("drill: restore + replay %.1f s, lost writes %d%n", seconds, lost);
            assertThat(lost).isZero();
            assertThat(new DatabaseComparator(DatabaseComparator.Scope.REPLAYED).digest(c))
                    .as("the lost primary's last state").isEqualTo(lastPrimaryState);
        }
    }

    @Test
    @Order(2)
    void failoverReplaysWhatTheLaggingStandbyLacksFromTheBackupAndPromotesItWithNoLostWrite() throws Exception {
        String standby = env.get("FACTORY_STANDBY_DB_URL");
        // The destroyed primary, still named: refused, not taken for lost (a typo looks the same), standby untouched.
        String err = OpsTestBed.stderrOf(() -> assertThat(FailoverCommand.run(List.of("--standby=" + standby,
                "--slot=it_ops_promoted", "--timeout=5s"), env)).isEqualTo(1));
        assertThat(err).contains("unreachable", "rerun with --primary-lost");
        long standbyWrites;
        try (Connection c = bed.connect(standby)) {
            assertThat(scalar(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_ops_promoted'"))
                    .as("not promoted").isEqualTo("0");
            standbyWrites = writes(c);
        }
        assertThat(standbyWrites).as("the standby lags: its sink stopped before the last writes")
                .isLessThan(writesAtLoss);

        String out = OpsTestBed.stdoutOf(() -> assertThat(FailoverCommand.run(List.of("--standby=" + standby,
                "--primary-lost", "--backup=" + backup, "--slot=it_ops_promoted", "--timeout=5s"), env)).isZero());
        System.out.printf("drill: failover with the standby %d writes behind%n", writesAtLoss - standbyWrites);
        assertThat(out).contains("0 committed writes missing", "RPO 0 committed writes lost");
        try (Connection c = bed.connect(standby)) {
            assertThat(writes(c)).isEqualTo(writesAtLoss);
            assertThat(new DatabaseComparator(DatabaseComparator.Scope.REPLAYED).digest(c)).isEqualTo(lastPrimaryState);
            assertThat(scalar(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_ops_promoted'"))
                    .isEqualTo("1");
        }
        // the restore of test 1 (ordered before this one) recovered the same state
        assertThat(VerifyCommand.run(List.of("--left=" + privateStack.endpoints.standbyJdbcUrl("it_ops_restored"),
                "--right=" + standby, "--scope=replayed"), env)).as("verify restored vs promoted standby").isZero();
        try (Connection c = bed.connect(standby)) {
            // the promoted standby is writable: identity sequences are past the copied rows
            new WorkerLikeWriter(c).appendHistory(List.of(UUID.fromString(scalar(c,
                    "SELECT id::text FROM factory.agents WHERE deleted_at IS NULL LIMIT 1"))), 3);
        }
    }

    @Test
    @Order(3)
    void corruptedOrIncompleteBackupIsRefusedAndLeavesNothingBehind() throws Exception {
        Path corrupted = copy(backup, work.resolve("corrupted"));
        Path file = corrupted.resolve("agent_history.copy.gz");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(file, bytes);
        String target = privateStack.endpoints.standbyJdbcUrl("it_ops_refused");
        String err = OpsTestBed.stderrOf(() -> assertThat(RestoreCommand.run(List.of("--backup=" + corrupted, "--target=" + target),
                env)).isEqualTo(1));
        assertThat(err).contains("agent_history.copy.gz is corrupted: sha256");

        Path incomplete = copy(backup, work.resolve("incomplete"));
        Files.delete(incomplete.resolve("manifest.json"));
        err = OpsTestBed.stderrOf(() -> assertThat(RestoreCommand.run(List.of("--backup=" + incomplete, "--target=" + target),
                env)).isEqualTo(1));
        assertThat(err).contains("manifest.json is missing");
        try (Connection c = bed.connect(privateStack.endpoints.standbyJdbcUrl("postgres"))) {
            assertThat(scalar(c, "SELECT count(*) FROM pg_database WHERE datname = 'it_ops_refused'")).isEqualTo("0");
        }
    }

    private void link(WorkerLikeWriter w, List<UUID> prds, List<UUID> agents, int firstAgent, int n, boolean unlink)
            throws SQLException {
        List<UUID> p = new ArrayList<>();
        List<UUID> a = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(prds.get(i % prds.size()));
            a.add(agents.get(firstAgent + i));
        }
        w.link(p, a, unlink);
    }

    private long writes() throws SQLException {
        try (Connection c = primary()) {
            return writes(c);
        }
    }

    /** Effects of the writes: a version row per entity change and a row per history entry. */
    private static long writes(Connection c) throws SQLException {
        return Long.parseLong(scalar(c, "SELECT (SELECT count(*) FROM factory.agent_versions) + (SELECT count(*) "
                + "FROM factory.prd_versions) + (SELECT count(*) FROM factory.agent_history)"));
    }

    /** The relay has created its slot and streams from it, so every write from now on reaches its sinks. */
    private void awaitRelayStreaming() {
        bed.awaitRelayStreaming(postgres(), SLOT, relay.log);
    }

    private void awaitRelayConfirmed(String lsn) {
        bed.awaitRelayConfirmed(postgres(), SLOT, lsn, relay.log);
    }

    private String postgres() {
        return privateStack.endpoints.primaryJdbcUrl("postgres");
    }

    private Map<String, String> relayProperties(boolean standby) {
        var e = privateStack.endpoints;
        Map<String, String> p = RelayProcess.properties(e, e.primaryJdbcUrl(DB), "it-ops-dr", "it.ops.audit.agents",
                "it.ops.audit.prds");
        p.put("factory.cdc.slot-name", SLOT);
        p.put("factory.cdc.standby.url", e.standbyJdbcUrl(DB));
        p.put("factory.cdc.standby.enabled", Boolean.toString(standby));
        return p;
    }

    private Connection primary() throws SQLException {
        return bed.connect(env.get("FACTORY_DB_URL"));
    }

    private static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
