package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
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

/**
 * The database holds offsets far ahead of the write topic's log, as after the topic was recreated (or the worker
 * pointed at a cluster whose offsets differ): the new records arrive below the stored offsets. The worker used to
 * take them for already-committed redeliveries and drop them without an effect, an outcome or a log line. Their
 * eventIds were never processed, so they are applied; a redelivered eventId still takes effect once.
 */
@ExtendWith(LocalStackExtension.class)
class StoredOffsetsAheadOfTheLogIT {

    private static final String STORE_OFFSETS = """
            INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset)
            SELECT ?, ?, p, 1000 FROM generate_series(0, ?) AS p""";

    @Test
    void writesBelowStoredOffsetsThatWereNeverAppliedTakeEffectOnce(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("offsets-ahead", endpoints, stack.primary());
        try (Connection c = bed.sql(); PreparedStatement ps = c.prepareStatement(STORE_OFFSETS)) {
            ps.setString(1, bed.group);
            ps.setString(2, bed.agentTopic);
            ps.setInt(3, TestBed.PARTITIONS - 1);
            ps.executeUpdate();
        }
        List<UUID> agents = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        try (WorkerProcess worker = new WorkerProcess("offsets-ahead", bed.workerProperties()).start()
                .awaitHealthy(Duration.ofSeconds(90));
             WriteProducer producer = bed.producer()) {
            WriteEnvelope first = null;
            for (UUID agent : agents) {
                WriteEnvelope e = WriteEnvelope.of(agent, null, "it", new WriteCommand.AgentCreate(
                        "ahead-" + agent, "A", "planner", null, null, null, null));
                first = first == null ? e : first;
                producer.send(e);
            }
            producer.send(first);    // a producer retry: same eventId, must not take effect twice
            producer.flush();

            Poll.until(Duration.ofSeconds(60), "the four records to be consumed and committed",
                    () -> committedInKafka(bed) == 4);
        }
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.agents")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_versions")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.audit_log")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE outcome = 'APPLIED'")).isEqualTo(3);
    }

    private static long committedInKafka(TestBed bed) {
        try {
            return bed.kafkaCommittedOffsets().values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
