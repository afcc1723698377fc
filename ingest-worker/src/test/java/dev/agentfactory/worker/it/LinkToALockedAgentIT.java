package dev.agentfactory.worker.it;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.worker.writes.BatchLocks;

/**
 * A link to an agent that another batch holds (as the batch writing that agent locks it) applies at once. The
 * batch lock was FOR UPDATE, which blocks the FOR KEY SHARE the link's foreign key takes: the link waited for the
 * other transaction, and two consumer threads each linking to an agent the other had changed deadlocked.
 */
@ExtendWith(LocalStackExtension.class)
class LinkToALockedAgentIT {

    @Test
    void aLinkToAnAgentLockedByAnotherBatchIsAppliedWithoutWaitingForIt(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("link-lock", endpoints, stack.primary());
        UUID agent = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        WriteEnvelope link = WriteEnvelope.of(prd, null, "it", new WriteCommand.PrdLinkAgent(agent, "reviewer"));
        try (WorkerProcess worker = new WorkerProcess("link-lock", bed.workerProperties()).start()
                .awaitHealthy(Duration.ofSeconds(90));
             WriteProducer producer = bed.producer()) {
            Streams.send(producer, List.of(
                    WriteEnvelope.of(agent, null, "it", new WriteCommand.AgentCreate("locked", "L", "planner", null,
                            null, null, null)),
                    WriteEnvelope.of(prd, null, "it", new WriteCommand.PrdCreate("linking", "P", null, null, null,
                            null))));
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            // Caught up is not both consumer threads in the group: a rebalance inside the window below would eat it.
            bed.awaitAgentPartitionPerMember(2, Duration.ofSeconds(60));
            try (Connection otherBatch = bed.sql()) {
                otherBatch.setAutoCommit(false);
                BatchLocks.lockAgent(otherBatch, agent);
                Streams.send(producer, List.of(link));
                // 30 s is a budget for a loaded machine, not a lock wait the link may take: a link that waits for
                // the agent's lock (the FOR KEY SHARE of prd_agents' foreign key) waits until this transaction ends,
                // which is after the poll gives up, since the worker sets no lock_timeout and its statement_timeout
                // (FACTORY_INGEST_DB_STATEMENT_TIMEOUT, 60 s) is longer; were it cut off, its retry would wait again.
                Poll.until(Duration.ofSeconds(30), "the link applied while the agent is locked", () -> bed.count(
                        "SELECT count(*) FROM factory.processed_events WHERE event_id = '" + link.eventId()
                                + "' AND outcome = 'APPLIED'") == 1);
                otherBatch.rollback();
            }
        }
    }
}
