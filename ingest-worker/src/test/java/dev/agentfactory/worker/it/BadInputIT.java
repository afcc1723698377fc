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

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Bad input on one partition, between valid writes of the same entity: each kind lands in the DLQ with
 * its reason and origin, a record the database itself refuses is REJECTED alone, the valid writes all
 * apply, and the meters and health show it. One worker process for the class.
 */
@ExtendWith(LocalStackExtension.class)
class BadInputIT {

    private static final WriteCodec CODEC = new WriteCodec();
    private static TestBed bed;
    private static WorkerProcess worker;
    private static final UUID AGENT = UUID.randomUUID();
    private static final List<UUID> VALID = new ArrayList<>();
    private static UUID refused;
    private static int partition;

    @BeforeAll
    static void sendBadAndGoodRecordsOnOnePartition(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new TestBed("bad", endpoints, stack.primary());
        Map<String, String> props = new java.util.HashMap<>(bed.workerProperties());
        props.put("factory.ingest.max-payload-bytes", "20000");
        worker = new WorkerProcess("bad", props).start().awaitHealthy(Duration.ofSeconds(90));
        String key = AGENT.toString();
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            partition = raw.send(new ProducerRecord<>(bed.agentTopic, key, valid(new WriteCommand.AgentCreate(
                    "bad-agent", "Bad", "planner", null, null, null, null)))).get().partition();
            send(raw, key, "{\"eventId\": \"3f1c".getBytes(StandardCharsets.UTF_8));
            send(raw, key, envelopeJson("agent.create", UUID.randomUUID().toString(), "{\"slug\":\"x\",\"kind\":\"k\"}"));
            send(raw, key, envelopeJson("agent.explode", AGENT.toString(), "{}"));
            send(raw, key, valid(new WriteCommand.AgentUpdate(JsonNodeFactory.instance.objectNode()
                    .put("name", "renamed").set("metadata", JsonNodeFactory.instance.objectNode()
                            .put("padding", "x".repeat(30_000))))));
            send(raw, key, envelopeJson("agent.update", "agent-42", "{\"name\":\"n\"}"));
            // Valid envelopes routed against the contract, on the same partition: keyed by the eventId (as a producer
            // that keys by idempotency key would), and a PRD write on the agent topic.
            WriteEnvelope byEventId = envelope(new WriteCommand.AgentUpdate(JsonNodeFactory.instance.objectNode()
                    .put("name", "keyed-by-event-id")));
            raw.send(new ProducerRecord<>(bed.agentTopic, partition, byEventId.eventId().toString(),
                    CODEC.encode(byEventId))).get();
            send(raw, key, CODEC.encode(envelope(new WriteCommand.PrdCreate("on-the-agent-topic", "T", null, null,
                    null, null))));
            WriteEnvelope nul = envelope(new WriteCommand.AgentHistoryAppend("learning",
                    JsonNodeFactory.instance.objectNode().put("note", "nul \u0000 byte"), null));
            refused = nul.eventId();
            raw.send(new ProducerRecord<>(bed.agentTopic, key, CODEC.encode(nul))).get();
            send(raw, key, valid(new WriteCommand.AgentUpdate(JsonNodeFactory.instance.objectNode().put("name", "final"))));
        }
        bed.awaitCaughtUp(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void eachKindOfBadRecordIsDeadLetteredWithItsReasonAndOrigin() {
        List<ConsumerRecord<byte[], byte[]>> dlq = TopicReader.read(bed.endpoints.kafkaBootstrap(), bed.dlqTopic, 7,
                Duration.ofSeconds(30));
        assertThat(dlq.stream().map(r -> TopicReader.header(r, DlqHeaders.REASON)).collect(Collectors.toList()))
                .containsExactly("malformed_json", "schema_violation", "unknown_type", "oversized", "invalid_id",
                        "wrong_key", "wrong_topic");
        for (int i = 0; i < dlq.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = dlq.get(i);
            assertThat(TopicReader.header(r, DlqHeaders.ORIGINAL_TOPIC)).isEqualTo(bed.agentTopic);
            assertThat(TopicReader.header(r, DlqHeaders.ORIGINAL_PARTITION)).isEqualTo(Integer.toString(partition));
            // the bad records follow the create at offset 0, one after another on that partition
            assertThat(TopicReader.header(r, DlqHeaders.ORIGINAL_OFFSET)).isEqualTo(Integer.toString(i + 1));
            assertThat(java.time.Instant.parse(TopicReader.header(r, DlqHeaders.FAILED_AT))).isBefore(
                    java.time.Instant.now());
            assertThat(TopicReader.header(r, DlqHeaders.ERROR_CLASS)).endsWith("InvalidWriteException");
            assertThat(TopicReader.header(r, DlqHeaders.MESSAGE)).isNotBlank();
        }
        assertThat(dlq).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).filteredOn(k -> !k.equals(
                AGENT.toString())).as("the original keys, the eventId's among them").hasSize(1);
        assertThat(TopicReader.header(dlq.get(5), DlqHeaders.MESSAGE)).contains("not the entityId " + AGENT);
        assertThat(TopicReader.header(dlq.get(6), DlqHeaders.MESSAGE))
                .isEqualTo("prd.create on topic " + bed.agentTopic + ": prd writes go to " + bed.prdTopic
                        + ", where the entity's other writes are");
    }

    @Test
    void theValidWritesAroundTheBadOnesAllApplyInOrder() {
        assertThat(bed.count("SELECT version FROM factory.agents WHERE id = '" + AGENT + "'")).isEqualTo(2);
        assertThat(bed.count("SELECT count(*) FROM factory.agents WHERE name = 'final'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE outcome = 'APPLIED'")).isEqualTo(2);
    }

    @Test
    void aRecordTheDatabaseRefusesIsRejectedAloneWithTheDatabaseReason() {
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE event_id = '" + refused
                + "' AND outcome = 'REJECTED' AND reason LIKE '%refused by the database%'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_history")).isZero();
    }

    @Test
    void everyValidEventGetsAnOutcomeOnTheResultsTopic() {
        List<WriteOutcome> outcomes = TopicReader.read(bed.endpoints.kafkaBootstrap(), bed.resultsTopic, 3,
                Duration.ofSeconds(30)).stream().map(r -> CODEC.decodeOutcome(r.value())).toList();
        assertThat(outcomes).extracting(WriteOutcome::eventId).containsExactlyInAnyOrderElementsOf(
                concat(VALID, refused));
        assertThat(outcomes).filteredOn(o -> o.eventId().equals(refused)).extracting(WriteOutcome::status)
                .containsExactly(WriteOutcome.Status.REJECTED);
    }

    @Test
    void theMetersAppearInPrometheusAndHealthCoversDatabaseAndKafka() {
        String prometheus = worker.get("/actuator/prometheus").body();
        assertThat(Streams.sample(prometheus, "factory_ingest_events_total", "outcome=\"dead_lettered\""))
                .isEqualTo(7.0);
        assertThat(Streams.sample(prometheus, "factory_ingest_events_total", "outcome=\"applied\"")).isEqualTo(2.0);
        assertThat(Streams.sample(prometheus, "factory_ingest_events_total", "outcome=\"rejected\"")).isEqualTo(1.0);
        assertThat(prometheus).contains("outcome=\"duplicate\"", "outcome=\"conflict\"",
                "factory_ingest_consumed_total", "factory_ingest_batch_size_count", "factory_ingest_commit_seconds_count",
                "factory_ingest_end_to_end_seconds_count", "factory_ingest_lag");
        tools.jackson.databind.JsonNode health = tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(worker.get("/actuator/health").body());
        assertThat(health.at("/components/db/status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/kafka/status").asString()).isEqualTo("UP");
    }

    private static List<UUID> concat(List<UUID> a, UUID b) {
        List<UUID> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }

    private static WriteEnvelope envelope(WriteCommand c) {
        return new WriteEnvelope(UUID.randomUUID(), AGENT, null, "it", Instant.now(), 1, c);
    }

    private static byte[] valid(WriteCommand c) {
        WriteEnvelope e = envelope(c);
        if (!(c instanceof WriteCommand.AgentUpdate u && u.patch().has("metadata"))) {
            VALID.add(e.eventId());
        }
        return CODEC.encode(e);
    }

    private static byte[] envelopeJson(String type, String entityId, String payload) {
        return ("{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"" + type + "\",\"entityId\":\"" + entityId
                + "\",\"actor\":\"it\",\"occurredAt\":\"" + Instant.now() + "\",\"schemaVersion\":1,\"payload\":"
                + payload + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static void send(KafkaProducer<String, byte[]> raw, String key, byte[] value) throws Exception {
        raw.send(new ProducerRecord<>(bed.agentTopic, key, value)).get();
    }
}
