package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
 * id than the topics end with.
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

    /** An agent at {@code version}, created at {@code createdAt}. */
    private void insertAgent(UUID id, long version, Instant createdAt) throws Exception {
        bed.execute(url, "INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version, "
                + "created_at, created_by, updated_at, updated_by) VALUES ('" + id + "', 'a-" + id + "', 'agent', "
                + "'planner', 'active', '{}', '{}', '{}', " + version + ", '" + createdAt + "', 'it', '" + AT
                + "', 'it')");
    }
}
