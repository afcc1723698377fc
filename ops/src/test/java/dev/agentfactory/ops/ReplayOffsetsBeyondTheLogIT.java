package dev.agentfactory.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * A backup whose audit offsets lie beyond the end of the audit topics (the topics were recreated, or the
 * environment names another cluster's topics): the changes now in the topics are after the backup, and a
 * replay that starts at the recorded offsets would skip them all, so replay must refuse instead of
 * reporting success with nothing applied.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayOffsetsBeyondTheLogIT {

    private final String suffix = Long.toString(System.nanoTime() % 100_000_000L, 36);
    private final String db = "it_ops_replay_beyond_" + suffix;
    private final String agents = "it.ops.replay-beyond." + suffix + ".agents";
    private final String prds = "it.ops.replay-beyond." + suffix + ".prds";
    private StackEndpoints endpoints;
    private LocalStack stack;
    private Map<String, String> env;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        url = endpoints.primaryJdbcUrl(db);
        env = Map.of("FACTORY_DB_OWNER_USER", endpoints.superuser(), "FACTORY_DB_OWNER_PASSWORD",
                endpoints.superuserPassword(), "FACTORY_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(),
                "FACTORY_AUDIT_AGENTS_TOPIC", agents, "FACTORY_AUDIT_PRDS_TOPIC", prds);
        stack.primary().createDatabase(db);
        new Migrations(MigrationSettings.fromEnvironment(env).withUrl(url)).migrate();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(agents, 1, (short) 1), new NewTopic(prds, 1, (short) 1))).all().get();
        }
        // the recreated topic holds one change committed after the backup, at offset 0
        String id = "6f1c3a52-0000-4000-8000-000000000001";
        String event = """
                {"schema":"factory.audit.v1","op":"create","entity":"agent","id":"%1$s","version":1,"table":"agents",
                 "before":null,"after":{"id":"%1$s","slug":"a-beyond","name":"after the backup","kind":"planner",
                 "status":"active","config":{},"state":{},"metadata":{},"version":1,
                 "created_at":"2026-03-01T10:00:00Z","created_by":"it","updated_at":"2026-03-01T10:00:00Z",
                 "updated_by":"it","deleted_at":null},"actor":"it","eventId":"0195a000-0000-7000-8000-000000000001",
                 "txId":1,"lsn":1000,"commitTime":"2026-03-01T10:00:00Z"}""".formatted(id);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(agents, id, event)).get();
        }
    }

    @AfterAll
    void tearDown() {
        stack.primary().dropDatabase(db);
    }

    @Test
    void replayRefusesABackupWhoseOffsetsAreBeyondTheEndOfTheAuditTopics(@TempDir Path backups) throws Exception {
        Path backup = Files.createDirectory(backups.resolve("backup-20260301T090000000Z"));
        // taken before the topics were recreated: the old topics had reached offset 40 and 25
        new Manifest(Manifest.FORMAT, Instant.parse("2026-03-01T09:00:00Z"), "it", "0/0", "4.4",
                Map.of(agents, Map.of(0, 40L), prds, Map.of(0, 25L)), List.of()).write(backup);

        int exit = ReplayCommand.run(List.of("--target=" + url, "--backup=" + backup), env);

        assertThat(count()).as("agents in the target").isZero();
        assertThat(exit).as("replay that could not apply the change after the backup").isEqualTo(1);
    }

    private long count() throws Exception {
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM factory.agents")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
