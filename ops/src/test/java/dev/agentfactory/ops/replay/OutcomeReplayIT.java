package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.cli.KafkaClients;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * After a restore, the writes refused since the backup get their outcomes back from the results topic, so the
 * worker answers them DUPLICATE of their refusal instead of judging them again; applied and duplicate outcomes,
 * outcomes after {@code --until} and rows already there are left alone. Own database and topic on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutcomeReplayIT {

    private static final WriteCodec CODEC = new WriteCodec();
    private static final Instant AT = Instant.parse("2026-11-20T12:00:00Z");

    private final String db = "it_ops_outcomes_" + OpsTestBed.suffix();
    private final String topic = "it.ops.results." + OpsTestBed.suffix();
    private final String expired = "it.ops.results.expired." + OpsTestBed.suffix();
    private final String old = "it.ops.results.old." + OpsTestBed.suffix();
    /** Topics made by the tests that ran, deleted at the end (one not made cannot be deleted). */
    private final List<String> created = new ArrayList<>();
    private OpsTestBed bed;
    private String url;
    private KafkaClients kafka;
    private String bootstrap;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
        bootstrap = endpoints.kafkaBootstrap();
        kafka = new KafkaClients(bootstrap, Map.of());
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(topic, 2));
        created.add(topic);
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        StackTopics.delete(bootstrap, created);
    }

    @Test
    void refusalsSinceTheBackupAreRebuiltAndNothingElse() throws Exception {
        UUID rejected = UUID.randomUUID();
        UUID conflict = UUID.randomUUID();
        UUID applied = UUID.randomUUID();
        UUID later = UUID.randomUUID();
        UUID kept = UUID.randomUUID();
        bed.execute(url, "INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, "
                + "outcome, reason) VALUES ('" + kept + "', 'agent', '" + UUID.randomUUID() + "', 'agent.create', "
                + "'REJECTED', 'as stored')");
        List<WriteOutcome> outcomes = List.of(
                outcome(rejected, "prd", Status.REJECTED, null, null, "agent unknown", AT),
                outcome(conflict, "agent", Status.CONFLICT, 5L, null, "expected version 4", AT.plusSeconds(1)),
                outcome(applied, "agent", Status.APPLIED, 1L, null, null, AT.plusSeconds(2)),
                outcome(rejected, "prd", Status.DUPLICATE, null, Status.REJECTED, null, AT.plusSeconds(3)),
                outcome(kept, "agent", Status.REJECTED, null, null, "from the topic", AT.plusSeconds(4)),
                outcome(later, "agent", Status.REJECTED, null, null, "after --until", AT.plusSeconds(60)));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (WriteOutcome o : outcomes) {
                producer.send(new ProducerRecord<>(topic, o.eventId().toString(), CODEC.encodeOutcome(o))).get();
            }
            producer.send(new ProducerRecord<>(topic, "stray", "not an outcome".getBytes())).get();
        }

        OutcomeReplay.Result r;
        try (Connection c = bed.connect(url)) {
            r = new OutcomeReplay(kafka, topic).replay(c, null, AT.plusSeconds(30));
        }

        assertThat(r.read()).isEqualTo(7);
        assertThat(r.rebuilt()).isEqualTo(2);
        assertThat(r.unreadable()).as("a stray record is skipped, not a failed recovery").isEqualTo(1);
        assertThat(bed.query(url, "SELECT string_agg(outcome || ':' || coalesce(version::text, '-') || ':' || reason, "
                + "',' ORDER BY outcome) FROM factory.processed_events WHERE event_id IN ('" + rejected + "', '"
                + conflict + "')")).isEqualTo("CONFLICT:5:expected version 4,REJECTED:-:agent unknown");
        assertThat(bed.query(url, "SELECT reason FROM factory.processed_events WHERE event_id = '" + kept + "'"))
                .isEqualTo("as stored");
        assertThat(bed.query(url, "SELECT count(*) FROM factory.processed_events WHERE event_id IN ('" + applied
                + "', '" + later + "')")).isEqualTo("0");
    }

    @Test
    void aResultsTopicThatDoesNotExistHoldsNothingToRebuild() throws Exception {
        try (Connection c = bed.connect(url)) {
            assertThat(new OutcomeReplay(kafka, "it.ops.results.none." + OpsTestBed.suffix()).replay(c, AT, null))
                    .isEqualTo(new OutcomeReplay.Result(0, 0, 0));
        }
    }

    /**
     * Every record of a partition deleted (retention, or deleteRecords as here): offsetsForTimes finds nothing there,
     * and the outcomes the replay needed may have been among those deleted, so it warns. A partition that still keeps
     * records, all older than the window, lost only older ones: no warning.
     */
    @Test
    void aResultsPartitionWhoseEveryRecordWasDeletedIsReportedAsTruncated() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS); // the warning names the time in milliseconds
        StackTopics.create(bootstrap, Map.of(expired, 1));
        created.add(expired);
        produce(expired, now.minusSeconds(60), 3);
        deleteRecordsBefore(expired, 3);

        assertThat(stderrOfReplay(expired, now)).contains("replay: the results topic may no longer hold every outcome since "
                + now.minus(OutcomeReplay.BEFORE_THE_BACKUP));
    }

    @Test
    void aResultsPartitionKeepingOnlyRecordsOlderThanTheWindowIsNotReportedAsTruncated() throws Exception {
        Instant now = Instant.now();
        StackTopics.create(bootstrap, Map.of(old, 1));
        created.add(old);
        produce(old, now.minus(Duration.ofDays(3)), 3);
        deleteRecordsBefore(old, 1);

        assertThat(stderrOfReplay(old, now)).doesNotContain("no longer hold every outcome");
    }

    private String stderrOfReplay(String resultsTopic, Instant backupTime) throws Exception {
        return OpsTestBed.stderrOf(() -> {
            try (Connection c = bed.connect(url)) {
                new OutcomeReplay(kafka, resultsTopic).replay(c, backupTime, null);
            }
        });
    }

    /** {@code n} REJECTED outcomes stamped {@code at}, record timestamps included. */
    private void produce(String resultsTopic, Instant at, int n) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = 0; i < n; i++) {
                WriteOutcome o = outcome(UUID.randomUUID(), "agent", Status.REJECTED, null, null, "refused", at);
                producer.send(new ProducerRecord<>(resultsTopic, 0, at.toEpochMilli(), o.eventId().toString(),
                        CODEC.encodeOutcome(o))).get();
            }
        }
    }

    private void deleteRecordsBefore(String topic, long offset) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(offset))).all().get();
        }
    }

    private static WriteOutcome outcome(UUID eventId, String entityType, Status status, Long version,
                                        Status original, String reason, Instant at) {
        return new WriteOutcome(eventId, entityType, UUID.randomUUID(), entityType + ".update", status, version,
                original, reason, at);
    }
}
