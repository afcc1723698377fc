package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * The database holds offsets far ahead of the write topic's log, as after the topic was recreated (or the worker
 * pointed at a cluster whose offsets differ): the new records arrive below the stored offsets. The worker used to
 * take them for already-committed redeliveries and drop them without an effect, an outcome or a log line. Their
 * eventIds were never processed, so they are applied; a redelivered eventId still takes effect once. An invalid record
 * there is dead-lettered (it used to be dropped, on the belief that an earlier delivery had dead-lettered it).
 */
@ExtendWith(LocalStackExtension.class)
class StoredOffsetsAheadOfTheLogIT {

    private static final String STORE_OFFSETS = """
            INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset)
            SELECT ?, ?, p, 1000 FROM generate_series(0, ?) AS p""";
    private static final String STORE_OUTCOME = """
            INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)
            VALUES (?, 'agent', ?, 'agent.create', 'APPLIED', 1)""";
    private static final WriteCodec CODEC = new WriteCodec();
    private static final String NOT_AN_ENVELOPE = "{\"eventId\": \"3f1c";

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
            // never dead-lettered by anyone: must reach the DLQ
            bed.sendRaw(bed.agentTopic, null, null, NOT_AN_ENVELOPE.getBytes(StandardCharsets.UTF_8));

            Poll.until(Duration.ofSeconds(60), "the five records to be consumed and committed",
                    () -> committedInKafka(bed) == 5);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.read(endpoints.kafkaBootstrap(), bed.dlqTopic, 1,
                Duration.ofSeconds(30));
        assertThat(dead).as("the invalid record below the stored offset, dead-lettered").hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo(NOT_AN_ENVELOPE);
        assertThat(TopicReader.header(dead.get(0), DlqHeaders.ORIGINAL_TOPIC)).isEqualTo(bed.agentTopic);
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.agents")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_versions")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.audit_log")).isEqualTo(3);
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE outcome = 'APPLIED'")).isEqualTo(3);
    }

    @Test
    void aRedeliveredBatchRestatesTheFirstRecordsOutcomeAndAnswersALaterRecordOfTheSameEventIdDuplicate(
            StackEndpoints endpoints, LocalStack stack) throws Exception {
        // As a worker that died after its commit and before publishing leaves it: the rows and the offsets stored.
        TestBed bed = new TestBed("offsets-restated", endpoints, stack.primary());
        UUID agent = UUID.randomUUID();
        WriteEnvelope create = WriteEnvelope.of(agent, null, "it", new WriteCommand.AgentCreate(
                "restated-" + agent, "A", "planner", null, null, null, null));
        try (Connection c = bed.sql(); PreparedStatement offsets = c.prepareStatement(STORE_OFFSETS);
             PreparedStatement outcome = c.prepareStatement(STORE_OUTCOME)) {
            offsets.setString(1, bed.group);
            offsets.setString(2, bed.agentTopic);
            offsets.setInt(3, TestBed.PARTITIONS - 1);
            offsets.executeUpdate();
            outcome.setObject(1, create.eventId());
            outcome.setObject(2, agent);
            outcome.executeUpdate();
        }
        // Both records are in the log before the worker starts, as for a worker restarted after that crash, so one
        // poll takes both: sent while it ran, they could come in two polls, and a redelivery restates a later
        // record of an eventId as DUPLICATE only within its batch (noted on the issue).
        try (WriteProducer producer = bed.producer()) {
            producer.send(create);
            producer.send(create);    // answered DUPLICATE the first time round
            producer.flush();
        }
        try (WorkerProcess worker = new WorkerProcess("offsets-restated", bed.workerProperties()).start()
                .awaitHealthy(Duration.ofSeconds(90))) {
            List<WriteOutcome> outcomes = TopicReader.read(endpoints.kafkaBootstrap(), bed.resultsTopic, 2,
                    Duration.ofSeconds(60)).stream().map(r -> CODEC.decodeOutcome(r.value())).toList();
            assertThat(outcomes).extracting(WriteOutcome::status, WriteOutcome::originalOutcome, WriteOutcome::version)
                    .containsExactly(tuple(WriteOutcome.Status.APPLIED, null, 1L),
                            tuple(WriteOutcome.Status.DUPLICATE, WriteOutcome.Status.APPLIED, 1L));
        }
        assertThat(bed.count("SELECT count(*) FROM factory.agents")).as("no effect: it was committed").isZero();
    }

    private static long committedInKafka(TestBed bed) {
        try {
            return bed.kafkaCommittedOffsets().values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
