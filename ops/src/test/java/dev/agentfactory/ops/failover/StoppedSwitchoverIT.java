package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * A planned switchover stopped while it waits for a standby that cannot catch up (bin/ops as a process, stopped the
 * way Ctrl-C, a closed terminal or a scheduler's SIGTERM stops it) lifts the fence it set: the primary stays the
 * primary, and its writer must not stay read-only. Killed outright, it cannot; the statement it printed after
 * fencing then lifts the fence by hand.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoppedSwitchoverIT {

    /** The writer's fence in the primary's database, as pg_db_role_setting holds it: 1 fenced, 0 not. */
    private static final String FENCED_SQL = "SELECT count(*)::text FROM pg_db_role_setting s "
            + "JOIN pg_roles r ON r.oid = s.setrole JOIN pg_database d ON d.oid = s.setdatabase "
            + "WHERE r.rolname = '%s' AND d.datname = '%s' AND 'default_transaction_read_only=on' = ANY (s.setconfig)";
    private static final Pattern BY_HAND = Pattern.compile("lift it by hand on the primary: (ALTER ROLE .*)");

    private final String suffix = OpsTestBed.suffix();
    private final String primaryDb = "it_ops_stop_p_" + suffix;
    private final String standbyDb = "it_ops_stop_s_" + suffix;
    private final String writer = "it_ops_stop_w_" + suffix;
    private OpsTestBed bed;
    private String primaryUrl;
    private String standbyUrl;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        primaryUrl = bed.migratedDatabase(primaryDb);
        standbyUrl = bed.migratedDatabase(standbyDb);
        // a row the standby never gets: it cannot match, and the command waits out its --timeout
        bed.execute(primaryUrl, "INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset) "
                + "VALUES ('stopped-switchover', 't', 0, 1)");
        bed.execute(primaryUrl, "CREATE ROLE " + writer + " LOGIN PASSWORD '" + writer + "'");
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(primaryDb); // and the writer's settings in it
        bed.dropDatabase(standbyDb);
        bed.dropRole(writer);
    }

    @Test
    void aSwitchoverStoppedWhileWaitingForTheStandbyLiftsTheFence() throws Exception {
        try (OpsProcess ops = startSwitchover("term")) {
            ops.awaitOutput("fenced the primary", Duration.ofSeconds(60));
            assertThat(fenced()).as("fenced before the stop").isEqualTo("1");

            ops.terminate();

            assertThat(fenced()).as("the writer's read-only setting is gone").isEqualTo("0");
            assertThat(ops.output()).contains("stopped before the promotion; lifting the fence",
                    "fence lifted: " + writer + " may write to the primary again");
        }
    }

    @Test
    void aSwitchoverKilledLeavesTheFenceAndThePrintedStatementLiftsIt() throws Exception {
        String output;
        try (OpsProcess ops = startSwitchover("kill")) {
            ops.awaitOutput("fenced the primary", Duration.ofSeconds(60));
            ops.kill();
            output = ops.output();
        }

        assertThat(fenced()).as("no hook runs on SIGKILL").isEqualTo("1");
        Matcher byHand = BY_HAND.matcher(output);
        assertThat(byHand.find()).as("the statement to lift the fence by hand is printed").isTrue();
        assertThat(byHand.group(1)).isEqualTo("ALTER ROLE " + writer + " IN DATABASE " + primaryDb
                + " RESET default_transaction_read_only");
        bed.execute(primaryUrl, byHand.group(1));
        assertThat(fenced()).isEqualTo("0");
    }

    private OpsProcess startSwitchover(String name) throws Exception {
        // the broker is not needed with the primary reachable; no topics of anyone's are read
        return OpsProcess.start(List.of("failover", "--primary=" + primaryUrl, "--standby=" + standbyUrl,
                "--writer=" + writer, "--timeout=10m", "--slot=it_ops_stop_" + name + "_" + suffix),
                bed.env("it.ops.stop." + suffix + ".agents", "it.ops.stop." + suffix + ".prds"));
    }

    private String fenced() throws Exception {
        return bed.query(primaryUrl, FENCED_SQL.formatted(writer, primaryDb));
    }
}
