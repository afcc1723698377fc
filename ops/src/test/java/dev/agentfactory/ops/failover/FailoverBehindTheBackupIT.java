package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.relay.WorkerLikeWriter;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.DatabaseComparator;
import dev.agentfactory.store.replica.TableDigest;

/**
 * A standby whose relay sink was off across a backup is older than the backup: what was committed between its last
 * change and the backup is neither replayed nor counted by {@code failover --primary-lost --backup}, which both start
 * at the backup's audit offsets, and it used to be promoted with an RPO of 0. Through the real relay: writes reach the
 * standby and the system idles while backup 0 is taken; the sink is turned off, more writes (agents created, history,
 * links) reach only the primary and the audit topics, backup 1 is taken; the sink is turned on again and every agent
 * is updated, so the standby holds each agent's newest row but not the gap's history, links and PRD versions (what a
 * maintenance window leaves: a high-water mark such as the stored ingest offsets would have moved past it). The
 * failover with backup 1 is refused before anything is replayed or promoted; with backup 0 it passes although the
 * standby's newest write is older than that backup (an idle system), and the replay brings the gap. Own databases,
 * slots and topics on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverBehindTheBackupIT {

    private RelayFedStandby pair;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        pair = new RelayFedStandby("ops-behind", endpoints, stack);
        pair.bed.migrate(pair.standbyUrl);
        backups = Files.createTempDirectory("it-ops-behind");
    }

    @AfterAll
    void tearDown() throws Exception {
        pair.close();
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void aStandbyBehindTheBackupIsRefusedAndOneCaughtUpWithItOnAnIdleSystemIsPromoted() throws Exception {
        OpsSettings settings = OpsSettings.fromEnvironment(pair.env);
        pair.startRelay(true);
        List<UUID> agents;
        List<UUID> prds;
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            agents = new ArrayList<>(w.createAgents(40));
            prds = w.createPrds(10, 200);
            w.updateAgents(agents.subList(0, 20));
            w.appendHistory(agents.subList(0, 10), 2);
            w.link(prds.subList(0, 5), agents.subList(0, 5), false);
        }
        pair.awaitRelayConfirmed();
        // nothing is written from here until the sink stops: the standby holds all of it, its newest write older
        // than the backup
        Path caughtUp = BackupCommand.create(backups.resolve("0"), pair.primaryUrl, settings);
        try (Connection c = pair.bed.connect(pair.standbyUrl)) {
            assertThat(BackupCoverage.check(c, caughtUp, Manifest.read(caughtUp),
                    new AuditTopics(settings.kafka(), settings.topics().audit())).none())
                    .as("a standby caught up on an idle system is not behind the backup").isTrue();
        }

        pair.startRelay(false); // a maintenance window: the relay goes on publishing, the standby receives nothing
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            agents.addAll(w.createAgents(10));
            w.updateAgents(agents.subList(20, 30));
            w.appendHistory(agents.subList(10, 20), 3);
            w.link(prds.subList(5, 10), agents.subList(5, 10), false);
        }
        pair.awaitRelayConfirmed();
        Path afterTheGap = BackupCommand.create(backups.resolve("1"), pair.primaryUrl, settings);
        pair.startRelay(true); // the window ends; every agent is written again, the gap's new ones too
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            new WorkerLikeWriter(c).updateAgents(agents);
        }
        pair.awaitRelayConfirmed();
        pair.relay.kill(); // the primary is lost: step 1 of the runbook stops the relay
        List<TableDigest> standbyBefore = digest(pair.standbyUrl);

        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(List.of("--standby=" + pair.standbyUrl,
                "--primary-lost", "--backup=" + afterTheGap, "--slot=" + pair.promotedSlot), pair.env));

        assertThat(code[0]).as("a standby behind the backup is refused").isEqualTo(1);
        assertThat(err).contains("ops failover refused: the standby is behind the backup " + afterTheGap,
                "it lacks 40 committed writes the backup holds (5 agents or PRDs at an older version or absent, "
                        + "30 history entries, 5 links)", "at version 2 in the backup, at version 1 on the standby",
                "an older backup, taken before the standby's sink stopped", "--from-beginning",
                "Nothing was replayed or promoted");
        assertThat(digest(pair.standbyUrl)).as("nothing replayed").isEqualTo(standbyBefore);
        assertThat(slotCount()).as("not promoted").isEqualTo("0");
        assertThat(CatchUp.behindTheBackup(pair.standbyUrl, afterTheGap, Manifest.read(afterTheGap), true, settings))
                .as("--force goes on, what the standby lacks counted in the RPO").isEqualTo(40);

        String out = OpsTestBed.stdoutOf(() -> code[0] = FailoverCommand.run(List.of("--standby=" + pair.standbyUrl,
                "--primary-lost", "--backup=" + caughtUp, "--slot=" + pair.promotedSlot), pair.env));

        assertThat(code[0]).as("the backup taken while the standby was caught up").isZero();
        assertThat(out).contains("the standby holds every agent and PRD version, history entry and link the backup "
                + "holds", "RPO 0 committed writes lost");
        assertThat(slotCount()).isEqualTo("1");
        assertThat(VerifyCommand.run(List.of("--left=" + pair.primaryUrl, "--right=" + pair.standbyUrl,
                "--scope=replayed"), pair.env)).as("the replay from that backup brought the gap").isZero();
    }

    private List<TableDigest> digest(String url) throws Exception {
        try (Connection c = pair.bed.connect(url)) {
            return new DatabaseComparator(DatabaseComparator.Scope.FULL).digest(c);
        }
    }

    private String slotCount() throws Exception {
        return pair.bed.query(pair.endpoints.standbyJdbcUrl("postgres"), "SELECT count(*) FROM pg_replication_slots "
                + "WHERE slot_name = '" + pair.promotedSlot + "'");
    }
}
