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
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.relay.WorkerLikeWriter;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.DatabaseComparator;

/**
 * The runbook's exact standby rebuild (step 6, "with the writes paused") through the real relay: writes stop and
 * the relay drains them with its standby sink off, a backup of the primary is restored into an empty standby
 * database, the sink is turned on and writes resume. Such a standby is a copy of the primary in full, its audit
 * rows, outcomes and stored offsets included, so a planned switchover onto it succeeds without {@code --force}
 * (one rebuilt by replay never matches in full and is refused). Own databases, slots, topics and Redis prefix.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactRebuildSwitchoverIT {

    private RelayFedStandby pair;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        pair = new RelayFedStandby("ops-rebuild", endpoints, stack);
        backups = Files.createTempDirectory("it-ops-rebuild");
        pair.env.put("FACTORY_BACKUP_DIR", backups.toString());
    }

    @AfterAll
    void tearDown() throws Exception {
        pair.bed.execute(pair.primaryUrl, "ALTER ROLE factory_writer IN DATABASE " + pair.db
                + " RESET default_transaction_read_only");
        pair.close();
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void aStandbyRebuiltWithTheWritesPausedMatchesInFullAndASwitchoverOntoItNeedsNoForce() throws Exception {
        pair.startRelay(false);
        List<UUID> agents;
        List<UUID> prds;
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            agents = new ArrayList<>(w.createAgents(300));
            prds = w.createPrds(30, 500);
            w.updateAgents(agents);
            w.appendHistory(agents.subList(0, 100), 3);
            w.advancePrds(prds);
            w.link(prds.subList(0, 20), agents.subList(0, 20), false);
            w.link(prds.subList(0, 10), agents.subList(0, 10), true);
        }

        // the writes pause (the worker stopped); the relay drains them with its standby sink off
        pair.awaitRelayConfirmed();
        Path backup = BackupCommand.create(backups.resolve("rebuild"), pair.primaryUrl,
                OpsSettings.fromEnvironment(pair.env));
        assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + pair.standbyUrl), pair.env)).isZero();
        pair.startRelay(true);

        // the writes resume, every kind of change the sink applies among them
        try (Connection c = pair.bed.connect(pair.primaryUrl)) {
            WorkerLikeWriter w = new WorkerLikeWriter(c);
            w.updateAgents(agents.subList(0, 200));
            w.appendHistory(agents.subList(50, 150), 2);
            w.deleteAgents(agents.subList(280, 300));
            agents.addAll(w.createAgents(50));
            w.advancePrds(prds);
            w.link(prds.subList(0, 10), agents.subList(0, 10), false);
            w.link(prds.subList(10, 20), agents.subList(10, 20), true);
            w.pruneOutcomes(5);
        }

        assertThat(FailoverCommand.run(List.of("--standby=" + pair.standbyUrl, "--primary=" + pair.primaryUrl,
                "--timeout=60s", "--slot=" + pair.promotedSlot), pair.env)).as("a switchover without --force").isZero();
        assertThat(VerifyCommand.run(List.of("--left=" + pair.primaryUrl, "--right=" + pair.standbyUrl,
                "--scope=full"), pair.env)).as("the promoted standby equals the old primary in full").isZero();
        try (Connection p = pair.bed.connect(pair.primaryUrl); Connection s = pair.bed.connect(pair.standbyUrl)) {
            var full = new DatabaseComparator(DatabaseComparator.Scope.FULL);
            assertThat(full.digest(s)).isEqualTo(full.digest(p));
            assertThat(OpsTestBed.scalar(s, "SELECT count(*) FROM factory.audit_log"))
                    .as("the audit rows of both sides of the rebuild").isEqualTo(
                            OpsTestBed.scalar(p, "SELECT count(*) FROM factory.audit_log"));
        }
    }
}
