package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.replay.AuditReplay;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * The audit topics are read from the backup's offsets, by the loss check too, and only the topics the backup recorded:
 * what the topics hold before those offsets (a previous primary's history, whose LSNs mean nothing here) is not
 * counted as lost, and a backup of other audit topics is refused rather than replayed from their beginning. Own
 * database and topics on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverReplayStartIT {

    private static final Instant AT = AuditEvents.CREATED;

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_start_" + suffix;
    private final String agents = "it.ops.start." + suffix + ".agents";
    private final String prds = "it.ops.start." + suffix + ".prds";
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private String url;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
        backups = Files.createTempDirectory("it-ops-start");
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        UUID before = UUID.randomUUID();
        UUID after = UUID.randomUUID();
        bed.publish(agents, List.of(
                AuditEvents.event("create", "agent", before, 1L, "agents", null, AuditEvents.agentRow(before, 1, AT), 100,
                        AT),
                AuditEvents.event("create", "agent", after, 1L, "agents", null, AuditEvents.agentRow(after, 1, AT), 200,
                        AT)));
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds));
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void theLossCheckCountsOnlyWhatTheTopicsHoldFromTheBackupsOffsets() throws Exception {
        OpsSettings s = OpsSettings.fromEnvironment(bed.env(agents, prds));
        AuditTopics topics = new AuditTopics(s.kafka(), s.topics().audit());
        try (Connection c = bed.connect(url)) {
            assertThat(AuditCoverage.missing(topics, c, AuditReplay.fromBeginning())).as("from the beginning")
                    .isEqualTo(2);
            assertThat(AuditCoverage.missing(topics, c, Map.of(agents, Map.of(0, 1L), prds, Map.of(0, 0L))))
                    .as("from the backup's offsets: the first agent's creation is in the backup").isEqualTo(1);
        }
    }

    @Test
    void aBackupThatRecordedOtherAuditTopicsIsRefusedByReplayAndFailover() throws Exception {
        Path backup = Files.createDirectory(backups.resolve("backup-other-topics"));
        new Manifest(Manifest.FORMAT, AT, "jdbc:postgresql://elsewhere/factory", "0/0", "1",
                Map.of("factory.audit.agents.v1", Map.of(0, 1L), "factory.audit.prds.v1", Map.of(0, 0L)), List.of())
                .write(backup);
        Map<String, String> env = bed.env(agents, prds);
        String slot = "it_ops_start_" + suffix;

        int[] code = new int[2];
        String err = OpsTestBed.stderrOf(() -> {
            code[0] = ReplayCommand.run(List.of("--target=" + url, "--backup=" + backup), env);
            code[1] = FailoverCommand.run(List.of("--standby=" + url, "--primary-lost", "--backup=" + backup,
                    "--slot=" + slot), env);
        });

        assertThat(code).containsExactly(1, 1);
        assertThat(err).contains("ops replay refused: the backup recorded offsets of the audit topics "
                + "[factory.audit.agents.v1, factory.audit.prds.v1], but the configured ones are [" + agents + ", "
                + prds + "]").contains("ops failover refused: the backup recorded offsets");
        assertThat(bed.query(url, "SELECT count(*) FROM factory.agents")).as("nothing replayed").isEqualTo("0");
        assertThat(bed.query(url, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .as("not promoted").isEqualTo("0");
    }
}
