package dev.agentfactory.ops.replay;

import static dev.agentfactory.ops.AuditEvents.event;
import static dev.agentfactory.ops.AuditEvents.prdRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.AuditEvents;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.ops.OwnerDatabase;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.RowApplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * V4_6 for {@code ops replay}: as a table owner without superuser rights (no replica mode, so V1's PRD status
 * trigger runs), a PRD's events that skip versions still copy its later status over the target's older one, which
 * the lifecycle could not reach in one step, because the applier marks its transactions as copies
 * ({@code store.replica.ReplicaApply}). The relay's standby sink has the same case in {@code StandbySinkIT}. Own
 * scratch database and role on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayPastThePrdLifecycleIT {

    private static final Instant AT = AuditEvents.CREATED;

    @AutoClose
    private OwnerDatabase target;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        String name = "it_ops_prd_rule_" + OpsTestBed.suffix();
        target = new OpsTestBed(endpoints, stack).ownerDatabase(name, name);
    }

    @Test
    void aPrdVersionsAheadReplacesTheTargetsOlderStatusThatTheLifecycleCouldNotReachInOneStep() throws Exception {
        UUID prd = UUID.randomUUID();
        Map<String, Object> draft = prdRow(prd, 1);
        Map<String, Object> approved = prdRow(prd, 3);
        approved.put("status", "approved");

        try (Connection c = target.connectAsOwner()) {
            c.setAutoCommit(false);
            AuditEventApplier applier = new AuditEventApplier(c, new RowApplier(c, JsonMapper.builder().build()));
            apply(c, applier, event("create", "prd", prd, 1L, "prds", null, draft, 100, AT));
            // v2 (draft -> review) is not among the events: the target goes from draft to approved in one step
            apply(c, applier, event("update", "prd", prd, 3L, "prds", draft, approved, 300, AT.plusSeconds(2)));

            assertThat(OpsTestBed.scalar(c, "SELECT status || ':' || version FROM factory.prds WHERE id = '" + prd
                    + "'")).isEqualTo("approved:3");
            // the rule did run for this session, and the mark ended with the replay's transaction
            try (Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.execute("UPDATE factory.prds SET status = 'draft' WHERE id = '" + prd
                        + "'")).isInstanceOf(SQLException.class)
                        .hasMessageContaining("cannot move from approved to draft");
            }
            c.rollback();
        }
    }

    /** One event in a transaction of its own, as {@link ReplayTransactions} runs the replay's. */
    private static void apply(Connection c, AuditEventApplier applier, Map<String, Object> event) throws Exception {
        applier.begin();
        applier.apply(event);
        applier.flush();
        c.commit();
    }
}
