package dev.agentfactory.ops;

import static org.assertj.core.api.Assertions.assertThat;

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

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import tools.jackson.databind.json.JsonMapper;

/**
 * Replay semantics on hand-written audit events of the relay's contract (cdc-relay/README.md), including a
 * redelivered stale version after a newer one: {@code --until} stops at a commit time, replaying everything
 * twice gives the same state, an older image never overwrites a newer one, and an unlink removes the link.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayIT {

    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant T4 = Instant.parse("2026-03-01T13:00:00Z");

    private final String suffix = Long.toString(System.nanoTime() % 100_000_000L, 36);
    private final String db = "it_ops_replay_" + suffix;
    private final UUID agent = UUID.randomUUID();
    private final UUID prd = UUID.randomUUID();
    private final JsonMapper json = JsonMapper.builder().build();
    private StackEndpoints endpoints;
    private LocalStack stack;
    private Map<String, String> env;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        url = endpoints.primaryJdbcUrl(db);
        String agents = "it.ops.replay." + suffix + ".agents";
        String prds = "it.ops.replay." + suffix + ".prds";
        env = Map.of("FACTORY_DB_OWNER_USER", endpoints.superuser(), "FACTORY_DB_OWNER_PASSWORD",
                endpoints.superuserPassword(), "FACTORY_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(),
                "FACTORY_AUDIT_AGENTS_TOPIC", agents, "FACTORY_AUDIT_PRDS_TOPIC", prds);
        stack.primary().createDatabase(db);
        new Migrations(MigrationSettings.fromEnvironment(env).withUrl(url)).migrate();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(agents, 2, (short) 1), new NewTopic(prds, 2, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            send(p, agents, agentEvent("create", 1, T1));
            send(p, prds, event("create", "prd", prd, 1L, "prds", null, prdRow(1), T1));
            send(p, agents, agentEvent("update", 2, T2));
            send(p, agents, event("history", "agent", agent, null, "agent_history", null, Map.of("seq", 7,
                    "agent_id", agent.toString(), "kind", "learning", "entry", Map.of("step", 1),
                    "recorded_at", T2.toString(), "actor", "it", "event_id", UUID.randomUUID().toString()), T2));
            send(p, prds, event("link", "prd", prd, 2L, "prds", prdRow(1), prdRow(2), T3));
            send(p, prds, event("link", "prd", prd, 2L, "prd_agents", null, link(), T3));
            send(p, agents, agentEvent("update", 3, T4));
            send(p, agents, agentEvent("update", 2, T2)); // redelivered after a relay restart
            send(p, prds, event("unlink", "prd", prd, 3L, "prd_agents", link(), null, T4));
            p.flush();
        }
    }

    @AfterAll
    void tearDown() {
        stack.primary().dropDatabase(db);
    }

    @Test
    void replayStopsAtTheGivenTimeThenCatchesUpIdempotentlyWithoutGoingBackwards() throws Exception {
        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning", "--until=" + T3), env)).isZero();
        assertThat(query("SELECT version || ':' || name FROM factory.agents")).isEqualTo("2:agent v2");
        assertThat(query("SELECT count(*) FROM factory.prd_agents")).isEqualTo("1");
        assertThat(query("SELECT count(*) FROM factory.agent_history WHERE seq = 7")).isEqualTo("1");
        assertThat(query("SELECT string_agg(version::text, ',' ORDER BY version) FROM factory.agent_versions"))
                .isEqualTo("1,2");

        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning"), env)).isZero();
        String state = digest();
        assertThat(query("SELECT version || ':' || name FROM factory.agents")).as("stale v2 redelivered last")
                .isEqualTo("3:agent v3");
        assertThat(query("SELECT count(*) FROM factory.prd_agents")).isEqualTo("0");
        assertThat(query("SELECT count(*) FROM factory.processed_events")).isEqualTo("6");

        assertThat(ReplayCommand.run(List.of("--target=" + url, "--from-beginning"), env)).isZero();
        assertThat(digest()).as("a second full replay").isEqualTo(state);
        assertThat(query("SELECT nextval(pg_get_serial_sequence('factory.agent_history', 'seq'))")).isEqualTo("8");
    }

    private String agentEvent(String op, long version, Instant at) throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", agent.toString());
        row.put("slug", "a-" + agent);
        row.put("name", "agent v" + version);
        row.put("kind", "planner");
        row.put("status", "active");
        row.put("config", Map.of("model", "m1"));
        row.put("state", Map.of("step", version));
        row.put("metadata", Map.of());
        row.put("version", version);
        row.put("created_at", T1.toString());
        row.put("created_by", "it");
        row.put("updated_at", at.toString());
        row.put("updated_by", "it");
        row.put("deleted_at", null);
        return event(op, "agent", agent, version, "agents", null, row, at);
    }

    private Map<String, Object> prdRow(long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", prd.toString());
        row.put("slug", "p-" + prd);
        row.put("title", "prd");
        row.put("body", "# PRD");
        row.put("status", "draft");
        row.put("metadata", Map.of());
        row.put("owner", "it");
        row.put("version", version);
        row.put("created_at", T1.toString());
        row.put("created_by", "it");
        row.put("updated_at", T1.toString());
        row.put("updated_by", "it");
        row.put("deleted_at", null);
        return row;
    }

    private Map<String, Object> link() {
        return Map.of("prd_id", prd.toString(), "agent_id", agent.toString(), "role", "implementer",
                "linked_at", T3.toString(), "linked_by", "it");
    }

    private String event(String op, String entity, UUID id, Long version, String table, Map<String, Object> before,
                         Map<String, Object> after, Instant at) throws Exception {
        Map<String, Object> e = new HashMap<>();
        e.put("schema", "factory.audit.v1");
        e.put("op", op);
        e.put("entity", entity);
        e.put("id", id.toString());
        e.put("version", version);
        e.put("table", table);
        e.put("before", before);
        e.put("after", after);
        e.put("actor", "it");
        e.put("eventId", table.equals("prd_agents") ? null
                : UUID.nameUUIDFromBytes((id + ":" + op + ":" + version + ":" + table).getBytes()).toString());
        e.put("txId", 1);
        e.put("lsn", at.toEpochMilli());
        e.put("commitTime", at.toString());
        return json.writeValueAsString(e);
    }

    private static void send(KafkaProducer<String, String> p, String topic, String event) {
        String key = event.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        p.send(new ProducerRecord<>(topic, key, event));
    }

    private String digest() throws Exception {
        return query("SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (SELECT a::text t FROM factory.agents a "
                + "UNION ALL SELECT v::text FROM factory.agent_versions v UNION ALL SELECT h::text FROM "
                + "factory.agent_history h UNION ALL SELECT p::text FROM factory.prds p UNION ALL SELECT e::text FROM "
                + "factory.processed_events e) x");
    }

    private String query(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
