package dev.agentfactory.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.failover.FailoverCommand;
import dev.agentfactory.ops.verify.VerifyCommand;
import dev.agentfactory.relay.WorkerLikeWriter;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * ops run as a role that may SELECT the factory tables but is filtered by their row-level security (every factory
 * table has it enabled, V1, V3_1 and V4_5; the role has no policy and no BYPASSRLS) sees them empty. A backup used to
 * succeed with none of their rows, and a verify of two databases (or a switchover's catch-up) to match; all now fail on the
 * first such table, as pg_dump does, and the failed backup leaves no directory. Own database, role and topics on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupUnderRowSecurityIT {

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_rls_" + suffix;
    private final String role = "it_ops_rls_" + suffix;
    private final String agents = "it.ops.rls." + suffix + ".agents";
    private final String prds = "it.ops.rls." + suffix + ".prds";
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private String url;
    private Map<String, String> env;
    private Path backups;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
        try (Connection c = bed.connect(url)) {
            new WorkerLikeWriter(c).createAgents(3);
        }
        bed.execute(url, "CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '"
                + OpsTestBed.ownerPassword(role) + "'");
        // everything a backup reads, the schema version included: only row-level security stands in its way
        for (String schema : List.of("factory", Migrations.HISTORY_SCHEMA)) {
            bed.execute(url, "GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            bed.execute(url, "GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
        }
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        env = new HashMap<>(bed.env(agents, prds));
        env.put("FACTORY_DB_OWNER_USER", role);
        env.put("FACTORY_DB_OWNER_PASSWORD", OpsTestBed.ownerPassword(role));
        backups = Files.createTempDirectory("it-ops-rls");
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        bed.dropRole(role);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds));
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void aBackupAsARoleFilteredByRowSecurityFailsAndLeavesNoBackup() throws Exception {
        assertThat(countAsTheRole()).as("the role sees no agent, the owner 3").isEqualTo("0");

        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = BackupCommand.run(List.of("--db=" + url,
                "--dir=" + backups), env));

        assertThat(code[0]).isEqualTo(1);
        assertThat(err).contains("ops backup failed: ", "row-level security");
        try (Stream<Path> left = Files.list(backups)) {
            assertThat(left).as("no backup directory left").isEmpty();
        }
    }

    @Test
    void aVerifyAsARoleFilteredByRowSecurityFailsInsteadOfComparingEmptyTables() throws Exception {
        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = VerifyCommand.run(List.of("--left=" + url, "--right=" + url),
                env));

        assertThat(code[0]).isEqualTo(1);
        assertThat(err).contains("ops verify failed: ", "row-level security");
    }

    @Test
    void aSwitchoverAsARoleFilteredByRowSecurityFailsInsteadOfMatchingEmptyTables() throws Exception {
        bed.execute(url, "ALTER ROLE " + role + " REPLICATION"); // a precondition of the promotion, checked first
        int[] code = new int[1];
        String err = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(List.of("--primary=" + url,
                "--standby=" + url, "--no-fence", "--timeout=2s"), env));

        assertThat(code[0]).isEqualTo(1);
        assertThat(err).contains("row-level security");
    }

    private String countAsTheRole() throws Exception {
        try (Connection c = DriverManager.getConnection(url, role, OpsTestBed.ownerPassword(role))) {
            return OpsTestBed.scalar(c, "SELECT count(*) FROM factory.agents");
        }
    }
}
