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
 * standby's newest write is older than that backup (an idle system), and the replay brings the gap. The
 * other way round, a standby still holding an agent erased before the backup (a purge it missed) is refused too.
 * Each test has its own primary, standby, slots and topics on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverBehindTheBackupIT {

    private final List<RelayFedStandby> pairs = new ArrayList<>();
    private StackEndpoints endpoints;
    private LocalStack stack;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        backups = Files.createTempDirectory("it-ops-behind");
    }

    @AfterAll
    void tearDown() throws Exception {
        for (RelayFedStandby pair : pairs) {
            pair.close();
        }
        OpsTestBed.deleteRecursively(backups);
    }

    /** A primary and its migrated standby of their own: each test promotes one. */
    private RelayFedStandby pair(String name) throws Exception {
        RelayFedStandby pair = new RelayFedStandby(name, endpoints, stack);
        pairs.add(pair);
        pair.bed.migrate(pair.standbyUrl);
        return pair;
    }

    @Test
    void aStandbyBehindTheBackupIsRefusedAndOneCaughtUpWithItOnAnIdleSystemIsPromoted() throws Exception {
        RelayFedStandby pair = pair("ops-behind");
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
                    new AuditTopics(settings.kafka(), settings.topics().audit()), null).none())
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
        refused(pair, afterTheGap, settings, 40, "it lacks 40 committed writes the backup holds (5 agents or PRDs at "
                        + "an older version or absent, 30 history entries, 5 links)",
                "at version 2 in the backup, at version 1 on the standby",
                "an older backup, taken before the standby's sink stopped", "--from-beginning");

        promoted(pair, caughtUp, "the standby holds every agent and PRD version, history entry and link the backup "
                + "holds");
    }

    /**
     * A standby that missed a purge: its relay sink was off while an operator erased an agent, and the backup was taken
     * after that (its audit offsets, read before the snapshot, past the purge's event). The backup holds nothing of the
     * agent, so nothing the backup holds is missing; the replay from its offsets starts after the purge and does not
     * apply it; the loss check drops deleted entities. Without the reverse check the standby was promoted with RPO 0,
     * still serving the erased agent, its versions, history and links. Now it is refused before anything is replayed,
     * also when the id was created again after that backup: the new incarnation's events do not explain the erased one
     * (the replay refuses the new row over it, and used to leave the erased agent served with RPO 0). With the backup
     * taken before the purge the failover passes (the replay applies the purge, then brings the new incarnation),
     * agents created after that backup, which it does not hold, explained by their events.
     */
    @Test
    void aStandbyThatMissedAPurgeIsRefusedAndOneWithABackupFromBeforeThePurgeIsPromoted() throws Exception {
        RelayFedStandby pair = pair("ops-missed-purge");
        OpsSettings settings = OpsSettings.fromEnvironment(pair.env);
        pair.startRelay(true);
        List<UUID> agents;
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            agents = w.createAgents(10);
            List<UUID> prds = w.createPrds(3, 200);
            w.updateAgents(agents.subList(0, 5));
            w.appendHistory(agents.subList(0, 4), 2);
            w.link(prds, agents.subList(0, 3), false);
        }
        pair.awaitRelayConfirmed();
        Path beforeThePurge = BackupCommand.create(backups.resolve("purge-0"), pair.primaryUrl, settings);
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            new WorkerLikeWriter(c).createAgents(3); // after the backup, on the standby too: not in backup 0
        }
        pair.awaitRelayConfirmed();

        pair.startRelay(false); // the sink off: the standby receives nothing
        UUID erased = agents.get(0); // with versions, history entries and a link
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            new WorkerLikeWriter(c).purgeAgents(List.of(erased));
        }
        pair.awaitRelayConfirmed();
        Path afterThePurge = BackupCommand.create(backups.resolve("purge-1"), pair.primaryUrl, settings);
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            new WorkerLikeWriter(c).createAgents(List.of(erased)); // another incarnation, at version 1
        }
        pair.awaitRelayConfirmed();
        pair.relay.kill(); // the primary is lost
        assertThat(pair.bed.query(pair.standbyUrl, "SELECT count(*) FROM factory.agents WHERE id = '" + erased + "'"))
                .as("the standby missed the purge").isEqualTo("1");
        refused(pair, afterThePurge, settings, 1, "it lacks 1 committed writes the backup holds (0 agents or PRDs at "
                        + "an older version or absent, 0 history entries, 0 links, and 1 agents or PRDs erased before "
                        + "the backup that it still holds with their versions, history and links: purges it missed",
                "agent " + erased + " erased before the backup (it does not hold it), still on the standby at "
                        + "version 2 with its history and links: a purge the standby missed");

        promoted(pair, beforeThePurge, "the standby holds every agent and PRD version, history entry and link the "
                + "backup holds, and no agent or PRD erased before it");
        assertThat(pair.bed.query(pair.standbyUrl, "SELECT version || ' ' || (SELECT count(*) "
                + "FROM factory.agent_history WHERE agent_id = a.id) FROM factory.agents a WHERE id = '" + erased + "'"))
                .as("the replay applied the purge, then created the agent again: version 1, no history")
                .isEqualTo("1 0");
    }

    /**
     * {@code failover --primary-lost --backup} is refused before anything is replayed or promoted, saying
     * {@code messages}; with {@code --force} it would count {@code forced} writes lacking in the RPO.
     */
    private static void refused(RelayFedStandby pair, Path backup, OpsSettings settings, long forced,
                                String... messages) throws Exception {
        List<TableDigest> standbyBefore = pair.digest(pair.standbyUrl);
        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(List.of("--standby=" + pair.standbyUrl,
                "--primary-lost", "--backup=" + backup, "--slot=" + pair.promotedSlot), pair.env));

        assertThat(code[0]).as("refused").isEqualTo(1);
        assertThat(err).contains("ops failover refused: the standby is behind the backup " + backup,
                "Nothing was replayed or promoted").contains(messages);
        assertThat(pair.digest(pair.standbyUrl)).as("nothing replayed").isEqualTo(standbyBefore);
        assertThat(pair.promotedSlots()).as("not promoted").isEqualTo("0");
        assertThat(CatchUp.behindTheBackup(pair.standbyUrl, backup, Manifest.read(backup), true, settings))
                .as("--force goes on, what the standby lacks counted in the RPO").isEqualTo(forced);
    }

    /** The failover with {@code backup} promotes the standby with RPO 0, and the replay brought what it lacked. */
    private static void promoted(RelayFedStandby pair, Path backup, String message) throws Exception {
        int[] code = new int[1];
        String out = OpsTestBed.stdoutOf(() -> code[0] = FailoverCommand.run(List.of("--standby=" + pair.standbyUrl,
                "--primary-lost", "--backup=" + backup, "--slot=" + pair.promotedSlot), pair.env));

        assertThat(code[0]).as("promoted").isZero();
        assertThat(out).contains(message, "RPO 0 committed writes lost");
        assertThat(pair.promotedSlots()).isEqualTo("1");
        assertThat(VerifyCommand.run(List.of("--left=" + pair.primaryUrl, "--right=" + pair.standbyUrl,
                "--scope=replayed"), pair.env)).as("the replay from that backup brought what the standby lacked")
                .isZero();
    }
}
