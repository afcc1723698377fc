package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.RowApplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * A replay onto a standby that applied a purge the audit topics do not hold yet (`failover --primary-lost` after
 * the audit sink fell behind the standby's): the purged entity's earlier events, and links to it, must not bring it
 * back on the database about to be promoted; its re-creation, after the purge, still applies.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurgeFloorReplayIT {

    private static final Instant AT = AuditEvents.CREATED;

    private final String db = "it_ops_floor_" + OpsTestBed.suffix();
    private OpsTestBed bed;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) {
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
    }

    @AfterAll
    void tearDown() {
        bed.dropDatabase(db);
    }

    @Test
    void eventsOfAPurgedEntityFromBeforeItsPurgeAreNotReplayedOntoTheStandby() throws Exception {
        UUID purged = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        bed.execute(url, "INSERT INTO factory.cdc_purge_floors (entity_id, entity_table, purge_lsn) VALUES ('"
                + purged + "', 'agents', 500)");

        try (Connection c = bed.connect(url)) {
            c.setAutoCommit(false);
            AuditEventApplier applier = new AuditEventApplier(c, new RowApplier(c, JsonMapper.builder().build()));
            applier.begin();
            applier.apply(created("agents", "agent", purged, AuditEvents.agentRow(purged, 1, AT), 400));
            applier.apply(created("agents", "agent", other, AuditEvents.agentRow(other, 1, AT), 410));
            applier.apply(created("prds", "prd", prd, AuditEvents.prdRow(prd, 1), 420));
            applier.apply(AuditEvents.event("link", "prd", prd, null, "prd_agents", null,
                    AuditEvents.link(prd, purged, AT), 430, AT));
            applier.flush();
            c.commit();
            assertThat(OpsTestBed.scalar(c, "SELECT count(*) FROM factory.agents WHERE id = '" + purged + "'"))
                    .isEqualTo("0");
            assertThat(OpsTestBed.scalar(c, "SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'"))
                    .isEqualTo("0");
            assertThat(OpsTestBed.scalar(c, "SELECT count(*) FROM factory.agents WHERE id = '" + other + "'"))
                    .isEqualTo("1");

            // created again under its id, after the purge
            applier.begin();
            applier.apply(created("agents", "agent", purged, AuditEvents.agentRow(purged, 1, AT), 600));
            applier.flush();
            c.commit();
            assertThat(OpsTestBed.scalar(c, "SELECT count(*) FROM factory.agents WHERE id = '" + purged + "'"))
                    .isEqualTo("1");
        }
    }

    private static Map<String, Object> created(String table, String entity, UUID id, Map<String, Object> row,
                                               long lsn) {
        return AuditEvents.event("create", entity, id, 1L, table, null, row, lsn, AT);
    }
}
