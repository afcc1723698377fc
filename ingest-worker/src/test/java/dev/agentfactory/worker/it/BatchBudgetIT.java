package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import dev.agentfactory.stack.junit.LocalStackExtension;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Through the real worker, with max-batch-chars lowered to 50,000: one poll of twelve writes to an agent whose state
 * is about 10,000 characters stages more snapshot text than that, so it is split into several transactions, in
 * order, and every write applies once, at its version. Every record is produced before the worker starts, so they
 * come in one poll.
 */
@ExtendWith(LocalStackExtension.class)
class BatchBudgetIT {

    private static final UUID AGENT = UUID.randomUUID();
    private static TestBed bed;
    private static WorkerProcess worker;

    @BeforeAll
    static void produceThenStartTheWorker(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new TestBed("batch-budget", endpoints, stack.primary());
        List<WriteEnvelope> sends = new ArrayList<>();
        sends.add(envelope(new WriteCommand.AgentCreate("large-state", "Large", "planner", null, null, null, null)));
        for (int i = 1; i <= 11; i++) {
            sends.add(envelope(new WriteCommand.AgentStatePut(JsonNodeFactory.instance.objectNode()
                    .put("step", i).put("notes", Integer.toString(i).repeat(10_000 / Integer.toString(i).length())))));
        }
        try (WriteProducer producer = bed.producer()) {
            Streams.send(producer, sends);
        }
        worker = new WorkerProcess("batch-budget",
                bed.workerProperties(Map.of("factory.ingest.max-batch-chars", "50000"))).start().awaitHealthy(Duration.ofSeconds(90));
        bed.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aPollThatWouldStageTooMuchIsCommittedInSeveralTransactionsAndEveryWriteAppliesOnce() {
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE outcome = 'APPLIED'")).isEqualTo(12);
        assertThat(bed.count("SELECT version FROM factory.agents WHERE id = '" + AGENT + "'")).isEqualTo(12);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + AGENT + "'"))
                .isEqualTo(12);
        assertThat(bed.count("SELECT count(*) FROM factory.audit_log")).isEqualTo(12);
        assertThat(bed.count("SELECT (state->>'step')::int FROM factory.agents WHERE id = '" + AGENT + "'"))
                .as("the last write last").isEqualTo(11);
        assertThat(bed.count("SELECT count(DISTINCT xmin::text) FROM factory.processed_events"))
                .as("transactions").isGreaterThan(1);
    }

    private static WriteEnvelope envelope(WriteCommand c) {
        return new WriteEnvelope(UUID.randomUUID(), AGENT, null, "it", Instant.now(), 1, c);
    }
}
