package dev.agentfactory.relay;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.HalfOpenProxy;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.LockWaits;
import dev.agentfactory.stack.junit.Poll;

/**
 * The relay reaches the standby through a {@link HalfOpenProxy}, with one pooled connection and the timeouts lowered
 * (sink 3 s, socket 5 s). A delivery waits on a row lock the test holds on the standby; then the network fails and
 * the server's side of the connection goes, and neither end is told. The delivery's thread, waiting for an answer
 * that never comes, is not ended by the dispatcher's interrupt: without a socket timeout it kept the pool's
 * connection for good, and every later delivery failed for want of one. With it, the relay recovers and the standby
 * catches up.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandbyHalfOpenIT {

    private RelayBed bed;
    private HalfOpenProxy proxy;

    @BeforeAll
    void startTheRelayWithItsStandbyBehindAProxy(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new RelayBed("halfopen", endpoints, stack, Map.of());
        proxy = new HalfOpenProxy("127.0.0.1", endpoints.standbyPort());
        bed.start("a", Map.of(
                "factory.cdc.standby.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + bed.db,
                "factory.cdc.standby.pool-size", "1",
                "factory.cdc.sink-timeout", "3s",
                "factory.cdc.db-socket-timeout", "5"));
        bed.awaitStreaming(Duration.ofSeconds(90));
    }

    @AfterAll
    void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aDeliveryOnAHalfOpenStandbyConnectionIsRetriedOnANewOneAndTheStandbyCatchesUp() throws Exception {
        WorkerLikeWriter w = new WorkerLikeWriter(bed.primary());
        UUID agent = w.createAgents(1).get(0);
        awaitStandbyVersion(agent, 1, Duration.ofSeconds(60));

        try (Connection holder = bed.standby(); Connection admin = bed.standby()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeQuery("SELECT 1 FROM factory.agents WHERE id = '" + agent + "' FOR UPDATE").close();
            }
            w.updateAgents(List.of(agent));
            int backend = LockWaits.awaitWaitingBackend(admin, bed.db, "factory_writer", Duration.ofSeconds(30));
            proxy.silenceOpenConnections();
            try (Statement s = admin.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + backend + ")");
            }
            holder.rollback();
        }
        // 90 s: the lock_timeout may end the wait before the backend is ended; see DatabaseTimeoutsIT (ingest-worker).
        awaitStandbyVersion(agent, 2, Duration.ofSeconds(90));
        w.updateAgents(List.of(agent));
        awaitStandbyVersion(agent, 3, Duration.ofSeconds(30));
    }

    private void awaitStandbyVersion(UUID agent, long version, Duration timeout) {
        Poll.until(timeout, "agent " + agent + " v" + version + " on the standby", () -> {
            try (Connection c = bed.standby()) {
                String v = RelayBed.scalar(c, "SELECT version FROM factory.agents WHERE id = '" + agent + "'");
                return v != null && Long.parseLong(v) >= version;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
