package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.OwnerDatabase;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * A standby whose owner role may not create replication slots (a managed server's default owner, unlike the local
 * superuser the other failover tests use) is refused before anything is replayed or changed: the relay's slot is the
 * promotion's last step, and failing there would leave the operator with a half-promoted standby.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverPreconditionsIT {

    private final String suffix = OpsTestBed.suffix();
    private OpsTestBed bed;
    @AutoClose
    private OwnerDatabase standby;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        standby = bed.ownerDatabase("it_ops_promotable_" + suffix, "it_ops_norepl_" + suffix);
        url = standby.url();
    }

    @Test
    void aStandbyOwnerWithoutReplicationIsRefusedBeforeAnythingIsReplayedOrPromoted() throws Exception {
        // the broker is unreachable on purpose: a failover that went on would fail on the audit topics instead
        Map<String, String> env = standby.env(Map.of("FACTORY_KAFKA_BOOTSTRAP", "127.0.0.1:2"));
        int[] code = new int[1];
        String[] err = new String[1];
        String out = OpsTestBed.stdoutOf(() -> err[0] = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(
                List.of("--standby=" + url, "--primary-lost", "--from-beginning", "--slot=it_ops_promotable_" + suffix),
                env)));

        assertThat(code[0]).isEqualTo(1);
        assertThat(err[0]).contains("the standby's role " + standby.role()
                + " may not create the relay's replication slot", "ALTER ROLE " + standby.role() + " REPLICATION");
        assertThat(out).doesNotContain("audit topics").doesNotContain("promoted");
        assertThat(bed.query(url, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_ops_promotable_"
                + suffix + "'")).isEqualTo("0");
    }

    @Test
    void aSlotOfTheNameMadeForAnotherDatabaseOfTheClusterIsRefusedBeforeAnythingChanges() throws Exception {
        String slot = "it_ops_elsewhere_" + suffix;
        String elsewhere = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
        bed.execute(elsewhere, "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try {
            Map<String, String> env = standby.env(Map.of("FACTORY_KAFKA_BOOTSTRAP", "127.0.0.1:2"));
            int[] code = new int[1];
            String err = OpsTestBed.stderrOf(() -> code[0] = FailoverCommand.run(
                    List.of("--standby=" + url, "--primary-lost", "--from-beginning", "--slot=" + slot), env));

            assertThat(code[0]).isEqualTo(1);
            assertThat(err).contains("has a replication slot " + slot + " already, for database postgres");
        } finally {
            bed.execute(elsewhere, "SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }
}
