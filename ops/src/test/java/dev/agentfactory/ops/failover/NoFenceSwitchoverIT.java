package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.OpsProcess;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * {@code --no-fence} says the operator stopped the writer; a planned switchover checks it, before the catch-up and
 * again right before the promotion, and refuses while the primary's database has a session of the writer role
 * ({@code --writer}): writes landing there after the standby matched would be lost with the promotion. Each test has
 * its own primary and standby databases on the shared stack, and its own writer role.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoFenceSwitchoverIT {

    /** A row written alike on both sides (its own updated_at, not now()), so they match once both have it. */
    private static final String OFFSET_SQL = "INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, "
            + "next_offset, updated_at) VALUES ('no-fence', 't', 0, 1, '2026-01-01T00:00:00Z')";

    private final String suffix = OpsTestBed.suffix();
    private final String writer = "it_ops_nofence_w_" + suffix;
    private final List<String> databases = new ArrayList<>();
    private OpsTestBed bed;
    private Map<String, String> env;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        env = bed.env("it.ops.nofence." + suffix + ".agents", "it.ops.nofence." + suffix + ".prds");
        bed.execute(endpoints.primaryJdbcUrl("postgres"), "CREATE ROLE " + writer + " LOGIN PASSWORD '" + writer + "'");
    }

    @AfterAll
    void tearDown() throws Exception {
        databases.forEach(bed::dropDatabase);
        bed.dropRole(writer);
    }

    @Test
    void aWriterSessionOpenOnThePrimaryRefusesTheSwitchoverBeforeTheCatchUp() throws Exception {
        String primary = database("open_p");
        String standby = database("open_s");
        String slot = "it_ops_nofence_open_" + suffix;
        try (Connection open = writerSession(primary)) {
            int[] code = new int[1];
            String[] out = new String[1];
            String err = OpsTestBed.stderrOf(() -> out[0] = OpsTestBed.stdoutOf(() -> code[0] = FailoverCommand.run(
                    List.of("--primary=" + primary, "--standby=" + standby, "--no-fence", "--writer=" + writer,
                            "--timeout=5s", "--slot=" + slot), env)));

            assertThat(code[0]).isEqualTo(1);
            assertThat(err).contains("--no-fence, but the writer role " + writer + " has 1 session(s) open in "
                    + "database it_ops_nofence_open_p_" + suffix + " on the primary");
            assertThat(out[0]).as("refused before the catch-up").doesNotContain("standby matches");
        }
        assertThat(slots(standby, slot)).as("not promoted").isEqualTo("0");
    }

    @Test
    void aWriterSessionOpenedDuringTheCatchUpRefusesThePromotion() throws Exception {
        String primary = database("late_p");
        String standby = database("late_s");
        String slot = "it_ops_nofence_late_" + suffix;
        bed.execute(primary, OFFSET_SQL); // the standby lacks it until the test says: the command waits
        try (OpsProcess ops = OpsProcess.start(List.of("failover", "--primary=" + primary, "--standby=" + standby,
                "--no-fence", "--writer=" + writer, "--timeout=2m", "--slot=" + slot), env)) {
            ops.awaitOutput("no session of " + writer + " on the primary", Duration.ofSeconds(60));

            try (Connection late = writerSession(primary)) { // a worker restarted, or a pool that reconnected
                bed.execute(standby, OFFSET_SQL);            // the standby matches now
                assertThat(ops.exitCode(Duration.ofSeconds(60))).isEqualTo(1);
            }

            assertThat(ops.output()).contains("standby matches the primary",
                    "--no-fence, but the writer role " + writer + " has 1 session(s) open");
        }
        assertThat(slots(standby, slot)).as("not promoted").isEqualTo("0");
    }

    @Test
    void withoutAWriterSessionTheSwitchoverPromotesAsBefore() throws Exception {
        String primary = database("gone_p");
        String standby = database("gone_s");
        String slot = "it_ops_nofence_gone_" + suffix;
        try {
            String out = OpsTestBed.stdoutOf(() -> assertThat(FailoverCommand.run(List.of("--primary=" + primary,
                    "--standby=" + standby, "--no-fence", "--writer=" + writer, "--timeout=5s", "--slot=" + slot),
                    env)).isZero());

            assertThat(out).contains("no session of " + writer + " on the primary", "standby promoted")
                    .doesNotContain("fenced");
            assertThat(slots(standby, slot)).isEqualTo("1");
        } finally {
            bed.dropSlot(standby, slot);
        }
    }

    /** A migrated database of this test's; its URL. */
    private String database(String name) {
        String db = "it_ops_nofence_" + name + "_" + suffix;
        databases.add(db);
        return bed.migratedDatabase(db);
    }

    private Connection writerSession(String url) throws Exception {
        return DriverManager.getConnection(url, writer, writer);
    }

    private String slots(String url, String slot) throws Exception {
        return bed.query(url, "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
}
