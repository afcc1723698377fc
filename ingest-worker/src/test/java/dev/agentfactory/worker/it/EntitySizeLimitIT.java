package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Through the real worker, with max-entity-bytes lowered to 20,000: a patch of 30 KB (well under the record
 * limit) that would grow an agent, and one that would grow a PRD's body, past it are REJECTED with the reason, in
 * the same batch as later writes of those entities and of another agent, which all apply. Every record is
 * produced before the worker starts, so each topic's records are one poll and one transaction.
 */
@ExtendWith(LocalStackExtension.class)
class EntitySizeLimitIT {

    private static final int LIMIT = 20_000;
    private static final WriteCodec CODEC = new WriteCodec();
    private static final UUID AGENT = UUID.randomUUID();
    /** Another agent on AGENT's partition, so that its writes share AGENT's batch. */
    private static final UUID OTHER = sharingPartitionWith(AGENT);
    private static final UUID PRD = UUID.randomUUID();
    private static final List<UUID> AGENT_EVENTS = new ArrayList<>();
    private static TestBed bed;
    private static WorkerProcess worker;
    private static UUID oversizeAgentPatch;
    private static UUID oversizePrdPatch;

    @BeforeAll
    static void produceThenStartTheWorker(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new TestBed("entity-size", endpoints, stack.primary());
        String padding = "x".repeat(30_000);
        List<WriteEnvelope> sends = new ArrayList<>();
        sends.add(agent(AGENT, new WriteCommand.AgentCreate("big-agent", "Big", "planner", null, null, null, null)));
        sends.add(agent(OTHER, new WriteCommand.AgentCreate("other-agent", "Other", "planner", null, null, null, null)));
        sends.add(agent(AGENT, new WriteCommand.AgentUpdate(obj().put("name", "grown")
                .set("metadata", obj().put("padding", padding)))));
        oversizeAgentPatch = sends.get(2).eventId();
        sends.add(agent(OTHER, new WriteCommand.AgentUpdate(obj().put("name", "other-after"))));
        sends.add(agent(AGENT, new WriteCommand.AgentUpdate(obj().put("name", "after"))));
        sends.add(envelope(PRD, new WriteCommand.PrdCreate("big-prd", "Big", "# Goal", null, null, null)));
        sends.add(envelope(PRD, new WriteCommand.PrdUpdate(obj().put("body", padding))));
        oversizePrdPatch = sends.get(6).eventId();
        sends.add(envelope(PRD, new WriteCommand.PrdUpdate(obj().put("title", "after"))));
        try (WriteProducer producer = bed.producer()) {
            Streams.send(producer, sends);
        }
        worker = new WorkerProcess("entity-size",
                bed.workerProperties(Map.of("factory.ingest.max-entity-bytes", Integer.toString(LIMIT)))).start().awaitHealthy(Duration.ofSeconds(90));
        bed.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aWriteThatWouldGrowAnEntityPastTheLimitIsRejectedWithItsReason() {
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE event_id = '" + oversizeAgentPatch
                + "' AND outcome = 'REJECTED' AND reason LIKE 'agent " + AGENT + " would be % bytes as JSON after this "
                + "write, over the limit of 20000 bytes (factory.ingest.max-entity-bytes)'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE event_id = '" + oversizePrdPatch
                + "' AND outcome = 'REJECTED' AND reason LIKE 'PRD " + PRD + " would be % bytes%'")).isEqualTo(1);
        Map<UUID, WriteOutcome> outcomes = TopicReader.read(bed.endpoints.kafkaBootstrap(), bed.resultsTopic, 8,
                Duration.ofSeconds(30)).stream().map(r -> CODEC.decodeOutcome(r.value()))
                .collect(Collectors.toMap(WriteOutcome::eventId, o -> o));
        assertThat(outcomes.get(oversizeAgentPatch)).satisfies(o -> {
            assertThat(o.status()).isEqualTo(WriteOutcome.Status.REJECTED);
            assertThat(o.version()).isNull();
            assertThat(o.reason()).contains("over the limit of 20000 bytes");
        });
        assertThat(outcomes.values()).filteredOn(o -> o.status() == WriteOutcome.Status.APPLIED).hasSize(6);
    }

    @Test
    void nothingOfTheRejectedWriteIsStoredAndTheLaterWritesOfTheBatchApply() {
        assertThat(bed.count("SELECT count(*) FROM factory.agents WHERE id = '" + AGENT
                + "' AND version = 2 AND name = 'after' AND metadata = '{}'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.agents WHERE id = '" + OTHER
                + "' AND version = 2 AND name = 'other-after'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.prds WHERE id = '" + PRD
                + "' AND version = 2 AND title = 'after' AND body = '# Goal'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_versions")).isEqualTo(4);
        assertThat(bed.count("SELECT count(*) FROM factory.prd_versions")).isEqualTo(2);
        assertThat(bed.count("SELECT max(octet_length(snapshot::text)) FROM factory.agent_versions")).isLessThan(LIMIT);
        assertThat(bed.count("SELECT count(*) FROM factory.audit_log WHERE event_id IN ('" + oversizeAgentPatch
                + "', '" + oversizePrdPatch + "')")).isZero();
    }

    @Test
    void theAgentWritesWereOneBatch() {
        String ids = AGENT_EVENTS.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
        assertThat(bed.count("SELECT count(DISTINCT xmin::text) FROM factory.processed_events WHERE event_id IN ("
                + ids + ")")).as("one transaction").isEqualTo(1);
    }

    private static WriteEnvelope agent(UUID id, WriteCommand c) {
        WriteEnvelope e = envelope(id, c);
        AGENT_EVENTS.add(e.eventId());
        return e;
    }

    private static WriteEnvelope envelope(UUID id, WriteCommand c) {
        return new WriteEnvelope(UUID.randomUUID(), id, null, "it", Instant.now(), 1, c);
    }

    /** An id the default partitioner (murmur2 of the key) puts on the same partition as {@code id}. */
    private static UUID sharingPartitionWith(UUID id) {
        int partition = partition(id);
        UUID other = UUID.randomUUID();
        while (partition(other) != partition) {
            other = UUID.randomUUID();
        }
        return other;
    }

    private static int partition(UUID key) {
        return Utils.toPositive(Utils.murmur2(key.toString().getBytes(StandardCharsets.UTF_8))) % TestBed.PARTITIONS;
    }

    private static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }
}
