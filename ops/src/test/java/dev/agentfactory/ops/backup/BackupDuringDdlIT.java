package dev.agentfactory.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * A backup that starts while DDL holds a table (a migration committing during the backup) still holds every row of
 * it: a rewrite of a table committed after the backup's snapshot would make the table look empty to it (rewrites are
 * not MVCC-safe), and the backup would succeed with none of its rows. Own databases and topics on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupDuringDdlIT {

    private static final int ROWS = 50;
    /** Keeps the column and its type but rewrites the table: the expression is not a plain column reference. */
    private static final String REWRITE = "ALTER TABLE factory.processed_events ALTER COLUMN version TYPE bigint "
            + "USING version + 0";

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_bkddl_" + suffix;
    private final String restored = db + "_restored";
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
        String agents = "it.ops.bkddl." + suffix + ".agents";
        String prds = "it.ops.bkddl." + suffix + ".prds";
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        env = bed.env(agents, prds);
        backups = Files.createTempDirectory("it-ops-backup-ddl");
        bed.execute(url, "INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome,"
                + " version) SELECT gen_random_uuid(), 'agent', gen_random_uuid(), 'agent.create', 'APPLIED', i "
                + "FROM generate_series(1, " + ROWS + ") i");
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        bed.dropDatabase(restored);
        OpsTestBed.deleteRecursively(backups);
    }

    @Test
    void aTableRewriteCommittedWhileTheBackupStartsLosesNoRowOfIt() throws Exception {
        CompletableFuture<Path> backup;
        try (Connection ddl = bed.connect(url); Statement st = ddl.createStatement()) {
            ddl.setAutoCommit(false);
            st.execute(REWRITE); // holds ACCESS EXCLUSIVE on processed_events until its commit
            String ddlPid = OpsTestBed.scalar(ddl, "SELECT pg_backend_pid()");
            backup = CompletableFuture.supplyAsync(() -> {
                try {
                    return BackupCommand.create(backups, url, OpsSettings.fromEnvironment(env));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            OpsTestBed.await(Duration.ofSeconds(30), "the backup waiting for the rewrite's lock", () -> "1".equals(
                    bed.query(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db + "' AND pid <> "
                            + ddlPid + " AND wait_event_type = 'Lock'")));
            ddl.commit();
        }
        Path dir = backup.get(60, TimeUnit.SECONDS);

        Manifest m = Manifest.read(dir);
        assertThat(m.tables().stream().filter(t -> t.table().equals("processed_events")).findFirst().orElseThrow()
                .rows()).as("rows of the rewritten table in the backup").isEqualTo(ROWS);
        assertThat(RestoreCommand.run(List.of("--backup=" + dir, "--target=" + endpoints.primaryJdbcUrl(restored)),
                env)).isZero();
        assertThat(bed.query(endpoints.primaryJdbcUrl(restored), "SELECT count(*) FROM factory.processed_events"))
                .isEqualTo(Integer.toString(ROWS));
    }
}
