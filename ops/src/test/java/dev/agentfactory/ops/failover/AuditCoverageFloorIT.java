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
 * The loss check of `failover --primary-lost` against a standby that holds purges the audit topics do not show:
 * one the standby applied before the audit sink published it (its purge floor), and one made before V4_5, whose
 * history deletes were never published. Neither entity's earlier events count as writes the standby lacks.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCoverageFloorIT {

    private static final Instant AT = AuditEvents.CREATED;

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_coverage_" + suffix;
    private final String agents = "it.ops.coverage." + suffix + ".agents";
    private final String prds = "it.ops.coverage." + suffix + ".prds";
    private final UUID unpublished = UUID.randomUUID();
    private final UUID old = UUID.randomUUID();
    private StackEndpoints endpoints;
    private OpsTestBed bed;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        bed.publish(agents, List.of(
                // purged on the standby at lsn 300; the topics hold none of the purge
                AuditEvents.event("create", "agent", unpublished, 1L, "agents", null,
                        AuditEvents.agentRow(unpublished, 1, AT), 100, AT),
                AuditEvents.event("update", "agent", unpublished, 2L, "agents",
                        AuditEvents.agentRow(unpublished, 1, AT), AuditEvents.agentRow(unpublished, 2, AT), 200, AT),
                AuditEvents.event("history", "agent", unpublished, null, "agent_history", null,
                        AuditEvents.history(unpublished, 7, AT), 210, AT),
                // purged before V4_5: its purge event, but no delete of its history entry
                AuditEvents.event("create", "agent", old, 1L, "agents", null, AuditEvents.agentRow(old, 1, AT), 400,
                        AT),
                AuditEvents.event("history", "agent", old, null, "agent_history", null,
                        AuditEvents.history(old, 9, AT), 410, AT),
                AuditEvents.event("purge", "agent", old, 1L, "agents", AuditEvents.agentRow(old, 1, AT), null, 420,
                        AT)));
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(db);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds));
    }

    @Test
    void purgesTheStandbyHoldsAndTheTopicsDoNotShowAreNotCountedAsLostWrites() throws Exception {
        OpsSettings s = OpsSettings.fromEnvironment(bed.env(agents, prds));
        AuditTopics topics = new AuditTopics(s.kafka(), s.topics().audit());
        try (Connection c = bed.connect(url)) {
            // without the standby's floor, the purged agent's two versions and history entry look lost
            assertThat(AuditCoverage.missing(topics, c, AuditReplay.fromBeginning())).isEqualTo(3);

            bed.execute(url, "INSERT INTO factory.cdc_purge_floors (entity_id, entity_table, purge_lsn) VALUES ('"
                    + unpublished + "', 'agents', 300)");
            assertThat(AuditCoverage.missing(topics, c, AuditReplay.fromBeginning())).isZero();

            // created again after the purge: the standby lacks that one
            bed.publish(agents, List.of(AuditEvents.event("create", "agent", unpublished, 1L, "agents", null,
                    AuditEvents.agentRow(unpublished, 1, AT), 500, AT)));
            assertThat(AuditCoverage.missing(topics, c, AuditReplay.fromBeginning())).isEqualTo(1);
        }
    }
}
