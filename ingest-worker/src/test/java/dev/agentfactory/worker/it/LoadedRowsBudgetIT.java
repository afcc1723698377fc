package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.utils.Utils;
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
 * Through the real worker, with max-batch-chars lowered to 50,000: twelve agents, each with about 10,000 characters
 * of state, stored before the worker starts, and one small history append to each, produced before it starts so they
 * come in one poll. The appends stage almost nothing, but the poll loads about 120,000 characters of agent rows: it
 * is split into several transactions, and every append applies once. The agents' ids all hash to one partition, so
 * one consumer thread takes every append in one poll (the other thread would commit its own transaction anyway).
 */
@ExtendWith(LocalStackExtension.class)
class LoadedRowsBudgetIT {

    private static final String INSERT_AGENT = "INSERT INTO factory.agents (id, slug, name, kind, state, version, "
            + "created_at, created_by, updated_at, updated_by) VALUES (?, ?, 'Large', 'planner', ?::jsonb, 1, now(), "
            + "'it', now(), 'it')";
    private static final int AGENTS = 12;
    /** A multiple of the write topics' partition count: partition 0 of 6 is partition 0 of any divisor too. */
    private static final int PARTITIONS = 6;
    private static TestBed bed;
    private static WorkerProcess worker;

    @BeforeAll
    static void storeAgentsProduceAppendsThenStartTheWorker(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        bed = new TestBed("loaded-rows-budget", endpoints, stack.primary());
        List<WriteEnvelope> sends = new ArrayList<>();
        try (Connection c = bed.sql(); PreparedStatement ps = c.prepareStatement(INSERT_AGENT)) {
            for (int i = 0; i < AGENTS; i++) {
                UUID agent = onePartition();
                ps.setObject(1, agent);
                ps.setString(2, "large-state-" + i);
                ps.setString(3, "{\"notes\": \"" + "x".repeat(10_000) + "\"}");
                ps.executeUpdate();
                sends.add(new WriteEnvelope(UUID.randomUUID(), agent, null, "it", Instant.now(), 1,
                        new WriteCommand.AgentHistoryAppend("learning", JsonNodeFactory.instance.objectNode().put("i", i),
                                null)));
            }
        }
        try (WriteProducer producer = bed.producer()) {
            Streams.send(producer, sends);
        }
        worker = new WorkerProcess("loaded-rows-budget",
                bed.workerProperties(Map.of("factory.ingest.max-batch-chars", "50000"))).start()
                .awaitHealthy(Duration.ofSeconds(90));
        bed.awaitCaughtUp(Duration.ofSeconds(60));
    }

    /** A random agent id that Kafka's default partitioner puts on the same partition as every other one here. */
    private static UUID onePartition() {
        while (true) {
            UUID id = UUID.randomUUID();
            if (Utils.toPositive(Utils.murmur2(id.toString().getBytes(StandardCharsets.UTF_8))) % PARTITIONS == 0) {
                return id;
            }
        }
    }

    @AfterAll
    static void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aPollWhoseLoadedRowsExceedTheBudgetIsCommittedInSeveralTransactionsAndEveryWriteAppliesOnce() {
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE outcome = 'APPLIED'"))
                .isEqualTo(AGENTS);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_history")).isEqualTo(AGENTS);
        assertThat(bed.count("SELECT count(DISTINCT agent_id) FROM factory.agent_history")).isEqualTo(AGENTS);
        assertThat(bed.count("SELECT count(DISTINCT xmin::text) FROM factory.processed_events"))
                .as("transactions").isGreaterThan(1);
    }
}
