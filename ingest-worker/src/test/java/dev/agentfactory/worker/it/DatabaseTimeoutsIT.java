package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.HalfOpenProxy;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.LockWaits;
import dev.agentfactory.stack.junit.Poll;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A batch that waits in the database, on a lock or on a connection whose server side is gone, fails after the
 * worker's statement or socket timeout and is retried, where it waited for good with its partitions stalled. The
 * worker reaches the database through a {@link HalfOpenProxy}, with the timeouts lowered (3 s, 5 s); each test
 * holds a lock on one agent's row so that the worker's update of it waits in the database.
 */
@ExtendWith(LocalStackExtension.class)
class DatabaseTimeoutsIT {

    private static TestBed bed;
    private static HalfOpenProxy proxy;
    private static WorkerProcess worker;

    @BeforeAll
    static void startTheWorkerBehindAProxy(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new TestBed("db-timeouts", endpoints, stack.primary());
        proxy = new HalfOpenProxy("127.0.0.1", endpoints.primaryPort());
        worker = new WorkerProcess("db-timeouts", bed.workerProperties(Map.of(
                "spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + bed.db,
                "FACTORY_INGEST_DB_STATEMENT_TIMEOUT", "3s",
                "FACTORY_INGEST_DB_SOCKET_TIMEOUT", "5")))
                .start().awaitHealthy(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aBatchWaitingOnALockPastTheStatementTimeoutIsCountedAndRetriedThenApplied() throws Exception {
        UUID agent = createAgent("lock-wait");
        double failuresBefore = failures();
        try (Connection holder = bed.sql()) {
            lockRow(holder, agent);
            update(agent);
            Poll.until(Duration.ofSeconds(30), "the waiting batch cancelled by the statement timeout",
                    () -> failures() > failuresBefore);
            assertThat(version(agent)).as("not applied while the lock is held").isEqualTo(1);
            holder.rollback();
        }
        Poll.until(Duration.ofSeconds(30), "the update applied once the lock is released", () -> version(agent) == 2);
    }

    @Test
    void aBatchWaitingOnAHalfOpenConnectionIsRetriedOnANewOneAndApplied() throws Exception {
        UUID agent = createAgent("half-open");
        try (Connection holder = bed.sql(); Connection admin = bed.sql()) {
            lockRow(holder, agent);
            update(agent);
            int backend = LockWaits.awaitWaitingBackend(admin, bed.db, "factory_writer", Duration.ofSeconds(30));
            // The network fails, and the server's side of the connection goes (a server restart, say): the worker
            // is told neither, and would wait for an answer on its open socket for good.
            proxy.silenceOpenConnections();
            try (Statement s = admin.createStatement()) {
                s.execute("SELECT pg_terminate_backend(" + backend + ")");
            }
            holder.rollback();
        }
        // Within seconds; the bound allows for the statement timeout ending the wait before the backend was ended,
        // which leaves the lock with a silent backend until idle_in_transaction_session_timeout (60 s) ends it.
        Poll.until(Duration.ofSeconds(90), "the update applied on a new connection", () -> version(agent) == 2);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + agent + "'"))
                .isEqualTo(2);
    }

    private static UUID createAgent(String slug) throws Exception {
        UUID agent = UUID.randomUUID();
        try (WriteProducer producer = bed.producer()) {
            Streams.send(producer, List.of(WriteEnvelope.of(agent, null, "it",
                    new WriteCommand.AgentCreate(slug, slug, "planner", null, null, null, null))));
        }
        Poll.until(Duration.ofSeconds(60), "agent " + slug + " created", () -> version(agent) == 1);
        return agent;
    }

    private static void update(UUID agent) throws Exception {
        try (WriteProducer producer = bed.producer()) {
            Streams.send(producer, List.of(WriteEnvelope.of(agent, null, "it",
                    new WriteCommand.AgentStatePut(JsonNodeFactory.instance.objectNode().put("step", 2)))));
        }
    }

    private static void lockRow(Connection holder, UUID agent) throws Exception {
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.executeQuery("SELECT 1 FROM factory.agents WHERE id = '" + agent + "' FOR UPDATE").close();
        }
    }

    private static long version(UUID agent) {
        return bed.count("SELECT coalesce(max(version), 0) FROM factory.agents WHERE id = '" + agent + "'");
    }

    private static double failures() {
        return Streams.meter(worker, "factory_ingest_batch_failures_total", "exception=\"PSQLException\"");
    }
}
