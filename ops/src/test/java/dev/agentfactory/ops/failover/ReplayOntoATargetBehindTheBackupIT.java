package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.relay.WorkerLikeWriter;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.TableDigest;

/**
 * {@code ops replay --backup} onto a target that does not hold the backup: restored from backup A, replayed with the
 * newer backup B, it used to skip every change between A's audit offsets and B's and exit 0. Through the real relay
 * (its standby sink off: the audit topics only): writes, backup A, restore of A into the standby's database, more
 * writes, backup B. The replay with B is refused before anything is written, also with an {@code --until} before
 * later changes that would have explained the lack; the one with A brings the target to the primary's state. In the failover tests' package for {@link RelayFedStandby}; the check is the failover's own
 * {@link BackupCoverage}.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayOntoATargetBehindTheBackupIT {

    private RelayFedStandby pair;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        pair = new RelayFedStandby("ops-replay-behind", endpoints, stack);
        backups = Files.createTempDirectory("it-ops-replay-behind");
    }

    @AfterAll
    void tearDown() throws Exception {
        pair.close();
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void aReplayWithABackupNewerThanTheTargetIsRefusedAndOneWithTheTargetsOwnBackupRecoversEverything()
            throws Exception {
        OpsSettings settings = OpsSettings.fromEnvironment(pair.env);
        pair.startRelay(false);
        List<UUID> agents;
        List<UUID> prds;
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            agents = w.createAgents(20);
            prds = w.createPrds(4, 200);
        }
        pair.awaitRelayConfirmed();
        Path a = BackupCommand.create(backups.resolve("a"), pair.primaryUrl, settings);
        assertThat(RestoreCommand.run(List.of("--backup=" + a, "--target=" + pair.standbyUrl), pair.env)).isZero();
        List<UUID> created;
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            created = w.createAgents(5);
            w.updateAgents(agents.subList(0, 10));
            w.appendHistory(agents.subList(0, 4), 2);
            w.link(prds.subList(0, 2), agents.subList(0, 2), false);
        }
        pair.awaitRelayConfirmed();
        Path b = BackupCommand.create(backups.resolve("b"), pair.primaryUrl, settings);
        List<TableDigest> restored = pair.digest(pair.standbyUrl);

        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = ReplayCommand.run(List.of("--target=" + pair.standbyUrl,
                "--backup=" + b), pair.env));

        assertThat(code[0]).as("refused").isEqualTo(1);
        // 5 agents created, 10 updated and 2 PRDs linked since A; 4 agents' 2 history entries each; 2 links
        assertThat(err).contains("ops replay refused: the target lacks 27 committed writes the backup " + b,
                "(17 agents or PRDs at an older version or absent, 8 history entries, 2 links); for example",
                "Replay with the backup the target was restored from", "Nothing was replayed");
        // The examples are the lowest ids, random: all three may be agents created since A (absent on the standby).
        assertThat(err).containsPattern("agent \\S+ at version (2 in the backup, at version 1|1 in the backup, absent)"
                + " on the standby");
        assertThat(pair.digest(pair.standbyUrl)).as("nothing replayed").isEqualTo(restored);

        // Every agent changes again after --until: those later events are not replayed, so they explain nothing
        // (the check read the topics to their end and let the 17 agents through, refusing only history and links).
        Thread.sleep(50);
        Instant until = Instant.now();
        Thread.sleep(50);
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            w.updateAgents(agents);
            w.updateAgents(created);
        }
        pair.awaitRelayConfirmed();
        String untilErr = OpsTestBed.stderrOf(() -> code[0] = ReplayCommand.run(List.of(
                "--target=" + pair.standbyUrl, "--backup=" + b, "--until=" + until), pair.env));
        assertThat(code[0]).as("refused up to --until as well").isEqualTo(1);
        assertThat(untilErr).contains("the target lacks 27 committed writes the backup " + b);
        assertThat(pair.digest(pair.standbyUrl)).as("nothing replayed").isEqualTo(restored);

        assertThat(ReplayCommand.run(List.of("--target=" + pair.standbyUrl, "--backup=" + a), pair.env))
                .as("the replay from the backup the target holds").isZero();
        assertThat(VerifyCommand.run(List.of("--left=" + pair.primaryUrl, "--right=" + pair.standbyUrl,
                "--scope=replayed"), pair.env)).as("the target holds what the primary holds").isZero();
    }
}
