package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import dev.agentfactory.relay.RelayProcess;
import dev.agentfactory.relay.WorkerLikeWriter;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
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

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_rebuild_" + suffix;
    private final String slot = "it_ops_rebuild_" + suffix; // the relay's, from its name
    private final String promotedSlot = "it_ops_rebuilt_" + suffix;
    private StackEndpoints endpoints;
    private LocalStack stack;
    private OpsTestBed bed;
    private Map<String, String> env;
    private String primaryUrl;
    private String standbyUrl;
    private Path backups;
    private RelayProcess relay;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        bed = new OpsTestBed(endpoints, stack);
        primaryUrl = bed.migratedDatabase(db);
        stack.standby().createDatabase(db);
        standbyUrl = endpoints.standbyJdbcUrl(db);
        backups = Files.createTempDirectory("it-ops-rebuild");
        String agents = "it.ops.rebuild." + suffix + ".agents";
        String prds = "it.ops.rebuild." + suffix + ".prds";
        env = new HashMap<>(bed.env(agents, prds));
        env.put("FACTORY_DB_URL", primaryUrl);
        env.put("FACTORY_BACKUP_DIR", backups.toString());
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
    }

    @AfterAll
    void tearDown() throws Exception {
        if (relay != null && relay.alive()) {
            relay.kill();
        }
        bed.execute(primaryUrl, "ALTER ROLE factory_writer IN DATABASE " + db + " RESET default_transaction_read_only");
        dropSlot(endpoints.primaryJdbcUrl("postgres"), slot);
        dropSlot(endpoints.standbyJdbcUrl("postgres"), promotedSlot);
        stack.primary().dropDatabase(db);
        stack.standby().dropDatabase(db);
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void aStandbyRebuiltWithTheWritesPausedMatchesInFullAndASwitchoverOntoItNeedsNoForce() throws Exception {
        relay = RelayProcess.start("ops-rebuild", relayProperties(false));
        awaitRelayStreaming();
        List<UUID> agents;
        List<UUID> prds;
        try (Connection c = bed.connect(primaryUrl)) {
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
        awaitRelayConfirmed(bed.query(primaryUrl, "SELECT pg_current_wal_lsn()::text"));
        Path backup = BackupCommand.create(backups.resolve("rebuild"), primaryUrl, OpsSettings.fromEnvironment(env));
        assertThat(RestoreCommand.run(List.of("--backup=" + backup, "--target=" + standbyUrl), env)).isZero();
        relay.stop();
        relay = RelayProcess.start("ops-rebuild-sink-on", relayProperties(true));
        awaitRelayStreaming();

        // the writes resume, every kind of change the sink applies among them
        try (Connection c = bed.connect(primaryUrl)) {
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

        assertThat(FailoverCommand.run(List.of("--standby=" + standbyUrl, "--primary=" + primaryUrl, "--timeout=60s",
                "--slot=" + promotedSlot), env)).as("a switchover without --force").isZero();
        assertThat(VerifyCommand.run(List.of("--left=" + primaryUrl, "--right=" + standbyUrl, "--scope=full"), env))
                .as("the promoted standby equals the old primary in full").isZero();
        try (Connection p = bed.connect(primaryUrl); Connection s = bed.connect(standbyUrl)) {
            var full = new DatabaseComparator(DatabaseComparator.Scope.FULL);
            assertThat(full.digest(s)).isEqualTo(full.digest(p));
            assertThat(OpsTestBed.scalar(s, "SELECT count(*) FROM factory.audit_log"))
                    .as("the audit rows of both sides of the rebuild").isEqualTo(
                            OpsTestBed.scalar(p, "SELECT count(*) FROM factory.audit_log"));
        }
    }

    private Map<String, String> relayProperties(boolean standbySink) {
        Map<String, String> p = RelayProcess.properties(endpoints, primaryUrl, "it-ops-rebuild-" + suffix,
                env.get("FACTORY_CDC_AGENTS_AUDIT_TOPIC"), env.get("FACTORY_CDC_PRDS_AUDIT_TOPIC"));
        p.put("factory.cdc.standby.enabled", Boolean.toString(standbySink));
        p.put("factory.cdc.standby.url", standbyUrl);
        return p;
    }

    private void awaitRelayStreaming() {
        OpsTestBed.await(Duration.ofSeconds(120), "the relay streaming; see " + relay.log, () -> bed.query(
                endpoints.primaryJdbcUrl("postgres"), "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '"
                        + slot + "'") != null);
    }

    private void awaitRelayConfirmed(String lsn) {
        OpsTestBed.await(Duration.ofSeconds(120), "the relay confirming " + lsn + "; see " + relay.log, () -> "t".equals(
                bed.query(endpoints.primaryJdbcUrl("postgres"), "SELECT confirmed_flush_lsn >= '" + lsn
                        + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
    }

    private void dropSlot(String url, String name) throws SQLException {
        bed.execute(url, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + name
                + "' AND active_pid IS NOT NULL");
        OpsTestBed.await(Duration.ofSeconds(10), "slot " + name + " released", () -> bed.query(url,
                "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = '" + name + "' AND active").equals("0"));
        bed.execute(url, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                + name + "'");
    }
}
