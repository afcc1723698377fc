package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * The failover fence against a real server: a writer whose pool reconnects at once (as Hikari does) is fenced
 * without waiting for sessions that are already read-only, and a fence that cannot be completed is lifted.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FenceIT {

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_fence_" + suffix;
    private final String writer = "it_ops_fence_w_" + suffix;
    private OpsTestBed bed;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        url = bed.createDatabase(db);
        bed.execute(url, "CREATE ROLE " + writer + " LOGIN PASSWORD '" + writer + "'");
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        bed.dropRole(writer);
    }

    @Test
    void aPoolThatReconnectsAtOnceIsFencedAndItsNewSessionsAreReadOnly() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Connection before = writer();
        Thread pool = new Thread(() -> {
            while (!stop.get()) {
                try (Connection c = writer()) {
                    while (!stop.get() && c.isValid(1)) {
                        Thread.sleep(20);
                    }
                } catch (SQLException | InterruptedException e) {
                    // ended by the fence: reconnect at once, like a pool keeping its minimum idle
                }
            }
        });
        pool.start();
        try (Connection admin = superuser()) {
            Fence.raise(admin, writer, Duration.ofSeconds(10));
            assertThat(before.isValid(1)).as("the session from before the fence was ended").isFalse();
            try (Connection after = writer()) {
                assertThat(readOnly(after)).isEqualTo("on");
            }
            Fence.lift(admin, writer);
            try (Connection after = writer()) {
                assertThat(readOnly(after)).isEqualTo("off");
            }
        } finally {
            stop.set(true);
            pool.join(5_000);
            before.close();
        }
    }

    @Test
    void aFenceThatCannotEndTheOpenSessionsInTimeIsLifted() throws Exception {
        try (Connection open = writer(); Connection admin = superuser()) {
            assertThatThrownBy(() -> Fence.raise(admin, writer, Duration.ZERO))
                    .isInstanceOf(SQLException.class).hasMessageContaining("still open");
            try (Connection after = writer()) {
                assertThat(readOnly(after)).as("the writer may write again").isEqualTo("off");
            }
        }
    }

    private static String readOnly(Connection c) throws SQLException {
        return OpsTestBed.scalar(c, "SHOW default_transaction_read_only");
    }

    private Connection writer() throws SQLException {
        return DriverManager.getConnection(url, writer, writer);
    }

    private Connection superuser() throws SQLException {
        return bed.connect(url);
    }
}
