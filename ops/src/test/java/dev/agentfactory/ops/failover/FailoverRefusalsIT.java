package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * With the primary lost, the writes refused after the standby's own record of outcomes ended get their outcomes back
 * from the results topic, so the worker answers them DUPLICATE instead of judging them again. The start is read
 * before the audit replay, which stores the applied writes' outcomes at their commit times (here a minute before the
 * loss) and would move it to an hour before the primary died, past a refusal two hours old. Own databases and topics
 * on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverRefusalsIT {

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final String suffix = OpsTestBed.suffix();
    private final String agents = "it.ops.refusals." + suffix + ".agents";
    private final String prds = "it.ops.refusals." + suffix + ".prds";
    private final String results = "it.ops.refusals." + suffix + ".results";
    private final UUID refused = UUID.randomUUID();
    private final List<String> databases = new ArrayList<>();
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private OpsSettings settings;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1, results, 1));
        Map<String, String> env = new HashMap<>(bed.env(agents, prds));
        env.put("FACTORY_INGEST_RESULTS_TOPIC", results);
        settings = OpsSettings.fromEnvironment(env);
        UUID agent = UUID.randomUUID();
        Instant lastCommit = now.minus(Duration.ofMinutes(1));
        bed.publish(agents, List.of(AuditEvents.event("create", "agent", agent, 1L, "agents", null,
                AuditEvents.agentRow(agent, 1, lastCommit), 100, lastCommit)));
        // refused on the primary two hours before it was lost; the standby's sink never applied its outcome
        Instant refusedAt = now.minus(Duration.ofHours(2));
        WriteOutcome outcome = new WriteOutcome(refused, "agent", UUID.randomUUID(), "agent.update",
                WriteOutcome.Status.CONFLICT, 4L, null, "expected version 3", refusedAt);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            p.send(new ProducerRecord<>(results, null, refusedAt.toEpochMilli(), refused.toString(),
                    new WriteCodec().encodeOutcome(outcome))).get();
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        databases.forEach(bed::dropDatabase);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds, results));
    }

    @Test
    void withoutABackupTheRefusalsSinceTheStandbysNewestOutcomeAreRebuilt() throws Exception {
        String url = standby("nobk", now.minus(Duration.ofHours(3)));

        assertThat(CatchUp.withAuditTopics(url, null, settings)).isZero();

        assertThat(outcomeOf(url)).isEqualTo("CONFLICT");
    }

    @Test
    void withABackupTheRefusalsSinceTheEarlierOfItsTimeAndTheStandbysNewestOutcomeAreRebuilt() throws Exception {
        String url = standby("bk", now.minus(Duration.ofMinutes(30)));
        Manifest backup = new Manifest(Manifest.FORMAT, now.minus(Duration.ofHours(3)), "jdbc:postgresql://primary/f",
                "0/0", "1", Map.of(agents, Map.of(0, 0L), prds, Map.of(0, 0L)), List.of());

        assertThat(CatchUp.withAuditTopics(url, backup, settings)).isZero();

        assertThat(outcomeOf(url)).isEqualTo("CONFLICT");
    }

    /** A standby whose own record of outcomes ends at {@code newestOutcome}. */
    private String standby(String name, Instant newestOutcome) throws Exception {
        String db = "it_ops_refusals_" + name + "_" + suffix;
        databases.add(db);
        String url = bed.migratedDatabase(db);
        bed.execute(url, "INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, "
                + "outcome, version, processed_at) VALUES (gen_random_uuid(), 'agent', gen_random_uuid(), "
                + "'agent.create', 'APPLIED', 1, '" + newestOutcome + "')");
        return url;
    }

    private String outcomeOf(String url) throws Exception {
        return bed.query(url, "SELECT outcome FROM factory.processed_events WHERE event_id = '" + refused + "'");
    }
}
