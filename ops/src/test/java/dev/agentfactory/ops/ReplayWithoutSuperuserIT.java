package dev.agentfactory.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import tools.jackson.databind.json.JsonMapper;

/**
 * Replay as the owner of the factory tables without superuser rights (Supabase's and Cloud SQL's
 * {@code postgres}): no replica mode, so foreign keys and V4_3's statement-level reference checks run. The
 * agent topic's partition 0 holds, after the backup, a history entry of an existing agent, then a new agent
 * and its history (one fetch, one poll: the new history must not be sent ahead of its agent), and partition 1
 * a second new agent whose link sits on the PRD topic, which a poll may deliver before the agent.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayWithoutSuperuserIT {

    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant T4 = Instant.parse("2026-03-01T13:00:00Z");

    private final String suffix = Long.toString(System.nanoTime() % 100_000_000L, 36);
    private final String db = "it_ops_replay_nosu_" + suffix;
    private final String role = "it_ops_replay_" + suffix;
    private final String agents = "it.ops.replay-nosu." + suffix + ".agents";
    private final String prds = "it.ops.replay-nosu." + suffix + ".prds";
    private final UUID existing = UUID.randomUUID();
    private final UUID created = UUID.randomUUID();
    private final UUID linked = UUID.randomUUID();
    private final UUID prd = UUID.randomUUID();
    private final JsonMapper json = JsonMapper.builder().build();
    private StackEndpoints endpoints;
    private LocalStack stack;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        url = endpoints.primaryJdbcUrl(db);
        stack.primary().createDatabase(db);
        new Migrations(MigrationSettings.fromEnvironment(Map.of("FACTORY_DB_OWNER_USER", endpoints.superuser(),
                "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword())).withUrl(url)).migrate();
        superuser("CREATE ROLE " + role + " LOGIN NOSUPERUSER PASSWORD '" + role + "'");
        // what the schema owner has on Supabase: the tables (and their identity sequences) are its own
        superuser("DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'factory'"
                + " LOOP EXECUTE format('ALTER TABLE factory.%I OWNER TO " + role + "', t); END LOOP; END $$");
        superuser("GRANT USAGE ON SCHEMA factory TO " + role);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(agents, 2, (short) 1), new NewTopic(prds, 1, (short) 1)))
                    .all().get();
        }
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            // offset 0 of agents-0 and prds-0: in the backup
            send(p, agents, 0, event("create", "agent", existing, 1L, "agents", agentRow(existing), 100, T1));
            send(p, prds, 0, event("create", "prd", prd, 1L, "prds", prdRow(), 150, T1));
            // after the backup
            send(p, agents, 0, history(existing, 1, 300, T2));
            send(p, agents, 0, event("create", "agent", created, 1L, "agents", agentRow(created), 400, T3));
            send(p, agents, 0, history(created, 2, 500, T3));
            send(p, prds, 0, event("link", "prd", prd, null, "prd_agents", Map.of("prd_id", prd.toString(),
                    "agent_id", linked.toString(), "role", "implementer", "linked_at", T4.toString(),
                    "linked_by", "it"), 650, T4));
            p.flush();
            send(p, agents, 1, event("create", "agent", linked, 1L, "agents", agentRow(linked), 450, T3));
            p.flush();
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        stack.primary().dropDatabase(db);
        try (Connection c = DriverManager.getConnection(endpoints.primaryJdbcUrl("postgres"), endpoints.superuser(),
                endpoints.superuserPassword()); Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + role);
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()))) {
            admin.deleteTopics(List.of(agents, prds)).all().get();
        }
    }

    @Test
    void replayAppliesChildrenAfterTheirParentsAcrossPartitionsWithoutReplicaMode(@TempDir Path backups)
            throws Exception {
        Map<String, String> env = Map.of("FACTORY_DB_OWNER_USER", role, "FACTORY_DB_OWNER_PASSWORD", role,
                "FACTORY_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(), "FACTORY_AUDIT_AGENTS_TOPIC", agents,
                "FACTORY_AUDIT_PRDS_TOPIC", prds);
        // the restored backup: its state is what the events before its offsets made
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning", "--until=" + T1), env)).isZero();
        Path backup = Files.createDirectory(backups.resolve("backup-20260301T103000000Z"));
        new Manifest(Manifest.FORMAT, Instant.parse("2026-03-01T10:30:00Z"), "it", "0/0", "4.4",
                Map.of(agents, Map.of(0, 1L, 1, 0L), prds, Map.of(0, 1L)), List.of()).write(backup);

        int exit = ReplayCommand.run(List.of("--target=" + url, "--backup=" + backup), env);

        assertThat(exit).as("replay as a non-superuser").isZero();
        assertThat(query("SELECT count(*) FROM factory.agents")).isEqualTo("3");
        assertThat(query("SELECT string_agg(agent_id::text || ':' || seq, ',' ORDER BY seq)"
                + " FROM factory.agent_history")).isEqualTo(existing + ":1," + created + ":2");
        assertThat(query("SELECT agent_id::text FROM factory.prd_agents")).isEqualTo(linked.toString());
        assertThat(query("SELECT count(*) FROM factory.agent_versions")).isEqualTo("3");
    }

    private Map<String, Object> agentRow(UUID id) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id.toString());
        row.put("slug", "a-" + id);
        row.put("name", "agent");
        row.put("kind", "planner");
        row.put("status", "active");
        row.put("config", Map.of());
        row.put("state", Map.of());
        row.put("metadata", Map.of());
        row.put("version", 1);
        row.put("created_at", T1.toString());
        row.put("created_by", "it");
        row.put("updated_at", T1.toString());
        row.put("updated_by", "it");
        row.put("deleted_at", null);
        return row;
    }

    private Map<String, Object> prdRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", prd.toString());
        row.put("slug", "p-" + prd);
        row.put("title", "prd");
        row.put("body", "# PRD");
        row.put("status", "draft");
        row.put("metadata", Map.of());
        row.put("owner", "it");
        row.put("version", 1);
        row.put("created_at", T1.toString());
        row.put("created_by", "it");
        row.put("updated_at", T1.toString());
        row.put("updated_by", "it");
        row.put("deleted_at", null);
        return row;
    }

    private String history(UUID agent, long seq, long lsn, Instant at) {
        return event("history", "agent", agent, null, "agent_history", Map.of("seq", seq, "agent_id",
                agent.toString(), "kind", "learning", "entry", Map.of("step", seq), "recorded_at", at.toString(),
                "actor", "it", "event_id", UUID.randomUUID().toString()), lsn, at);
    }

    private String event(String op, String entity, UUID id, Long version, String table, Map<String, Object> after,
                         long lsn, Instant at) {
        Map<String, Object> e = new HashMap<>();
        e.put("schema", "factory.audit.v1");
        e.put("op", op);
        e.put("entity", entity);
        e.put("id", id.toString());
        e.put("version", version);
        e.put("table", table);
        e.put("before", null);
        e.put("after", after);
        e.put("actor", "it");
        e.put("eventId", table.equals("prd_agents") ? null : UUID.randomUUID().toString());
        e.put("txId", lsn);
        e.put("lsn", lsn);
        e.put("commitTime", at.toString());
        return json.writeValueAsString(e);
    }

    private static void send(KafkaProducer<String, String> p, String topic, int partition, String event) {
        p.send(new ProducerRecord<>(topic, partition, null, event));
    }

    private void superuser(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private String query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
