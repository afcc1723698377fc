package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.replay.AuditReplay;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * The loss check of {@code failover --primary-lost} ({@link AuditCoverage#missing}) against a database standing in
 * for the standby, with hand-written audit events: what it counts when the standby holds another incarnation of an
 * id than the topics end with, and what it reads of a standby much larger than the topics' window.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCoverageIT {

    private static final Instant AT = AuditEvents.CREATED;

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_coverage_inc_" + suffix;
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
    }

    @AfterAll
    void tearDown() {
        bed.dropDatabase(db);
    }

    /**
     * The standby missed an agent's purge (made before the replay's window) and the id was created again: the topics'
     * window holds only the new incarnation, at version 1, and the standby the erased one at version 2. The replay
     * refuses the new row over the erased one, so none of the new incarnation's writes is on the standby; comparing
     * versions alone counted nothing lost (1 behind 2). An agent of the same incarnation is compared by version.
     */
    @Test
    void anAgentTheStandbyHoldsInAnotherIncarnationThanTheTopicsEndWithCountsAsMissing() throws Exception {
        UUID recreated = UUID.randomUUID();
        UUID same = UUID.randomUUID();
        insertAgent(recreated, 2, AT.minusSeconds(86_400)); // the erased incarnation
        insertAgent(same, 1, AT);
        String topic = "it.ops.coverage.inc." + suffix;
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(topic + ".agents", 1, topic + ".prds", 1));
        try {
            bed.publish(topic + ".agents", List.of(
                    AuditEvents.event("create", "agent", recreated, 1L, "agents", null,
                            AuditEvents.agentRow(recreated, 1, AT), 100, AT),
                    AuditEvents.event("create", "agent", same, 1L, "agents", null,
                            AuditEvents.agentRow(same, 1, AT), 110, AT)));
            OpsSettings s = OpsSettings.fromEnvironment(bed.env(topic + ".agents", topic + ".prds"));
            try (Connection c = bed.connect(url)) {
                assertThat(AuditCoverage.missing(new AuditTopics(s.kafka(), s.topics().audit()), c,
                        AuditReplay.fromBeginning())).as("the new incarnation's one version").isEqualTo(1);
            }
        } finally {
            StackTopics.delete(endpoints.kafkaBootstrap(), List.of(topic + ".agents", topic + ".prds"));
        }
    }

    /**
     * A standby of thousands of agents, history entries and links, and a window naming two agents and a history entry:
     * the check brings back counts, not the standby's rows. It read every agent and PRD id and version, every history
     * seq and every link into the heap, on an autocommit connection without a fetch size, so a large standby ended
     * {@code ops failover} with an OutOfMemoryError after the replay. Counted here: the rows every result set read
     * through the connection returned.
     */
    @Test
    void theLossCheckReadsCountsFromTheStandbyNotItsRows() throws Exception {
        int unrelated = 2_000;
        bed.execute(url, """
                INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version, created_at,
                                            created_by, updated_at, updated_by)
                SELECT id, 'a-' || id, 'agent', 'planner', 'active', '{}', '{}', '{}', 1, now(), 'it', now(), 'it'
                FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, %1$d)) g;
                INSERT INTO factory.agent_history (agent_id, kind, entry, recorded_at, actor, event_id)
                SELECT id, 'learning', '{}', now(), 'it', gen_random_uuid() FROM factory.agents;
                INSERT INTO factory.prds (id, slug, title, body, status, metadata, owner, version, created_at,
                                          created_by, updated_at, updated_by)
                SELECT id, 'p-' || id, 'prd', '# PRD', 'draft', '{}', 'it', 1, now(), 'it', now(), 'it'
                FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, %1$d)) g;
                INSERT INTO factory.prd_agents (prd_id, agent_id, role, linked_at, linked_by)
                SELECT p.id, a.id, 'implementer', now(), 'it'
                FROM (SELECT id, row_number() OVER () AS n FROM factory.prds) p
                JOIN (SELECT id, row_number() OVER () AS n FROM factory.agents) a USING (n)""".formatted(unrelated));
        UUID behind = UUID.randomUUID();
        UUID held = UUID.randomUUID();
        insertAgent(behind, 1, AT);
        insertAgent(held, 1, AT);
        String topic = "it.ops.coverage.rows." + suffix;
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(topic + ".agents", 1, topic + ".prds", 1));
        try {
            bed.publish(topic + ".agents", List.of(
                    AuditEvents.event("create", "agent", held, 1L, "agents", null, AuditEvents.agentRow(held, 1, AT),
                            100, AT),
                    AuditEvents.event("update", "agent", behind, 2L, "agents", AuditEvents.agentRow(behind, 1, AT),
                            AuditEvents.agentRow(behind, 2, AT), 110, AT),
                    AuditEvents.event("history", "agent", behind, null, "agent_history", null,
                            AuditEvents.history(behind, Integer.MAX_VALUE, AT), 120, AT)));
            OpsSettings s = OpsSettings.fromEnvironment(bed.env(topic + ".agents", topic + ".prds"));
            AtomicLong rows = new AtomicLong();
            try (Connection c = bed.connect(url)) {
                assertThat(AuditCoverage.missing(new AuditTopics(s.kafka(), s.topics().audit()), counting(c, rows),
                        AuditReplay.fromBeginning())).as("agent behind's version 2 and its history entry").isEqualTo(2);
            }
            assertThat(rows.get()).as("rows read from a standby of %d agents, history entries and links", unrelated)
                    .isLessThan(20);
        } finally {
            StackTopics.delete(endpoints.kafkaBootstrap(), List.of(topic + ".agents", topic + ".prds"));
        }
    }

    /** {@code c}, adding to {@code rows} each row a result set read through it (or its statements) returns. */
    private static Connection counting(Connection c, AtomicLong rows) {
        return (Connection) counting(c, Connection.class, rows);
    }

    private static Object counting(Object target, Class<?> type, AtomicLong rows) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof ResultSet rs) {
                return counting(rs, ResultSet.class, rows);
            }
            if (result instanceof Statement st) {
                return counting(st, st instanceof PreparedStatement ? PreparedStatement.class : Statement.class, rows);
            }
            if (target instanceof ResultSet && method.getName().equals("next") && (Boolean) result) {
                rows.incrementAndGet();
            }
            return result;
        });
    }

    /** An agent at {@code version}, created at {@code createdAt}. */
    private void insertAgent(UUID id, long version, Instant createdAt) throws Exception {
        bed.execute(url, "INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version, "
                + "created_at, created_by, updated_at, updated_by) VALUES ('" + id + "', 'a-" + id + "', 'agent', "
                + "'planner', 'active', '{}', '{}', '{}', " + version + ", '" + createdAt + "', 'it', '" + AT
                + "', 'it')");
    }
}
