package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * V4_6: a transaction marked as a copy of checked rows ({@code factory.replica_apply}, as the relay's standby sink
 * and {@code ops replay} mark theirs) may move a PRD's status past the lifecycle; every other transaction is still
 * held to it, as V1 has it.
 */
@ExtendWith(LocalStackExtension.class)
class PrdStatusRuleIT {

    private static final String DATABASE = "it_migrations_prd_status_rule";
    private static final String CHECK_VIOLATION = "23514";
    private static final String MARK = "SET LOCAL factory.replica_apply = on";
    private static StackEndpoints endpoints;

    @BeforeAll
    static void migrated(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        TestDatabases.fresh(stack, e, DATABASE).migrate();
    }

    @AfterAll
    static void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void onlyATransactionMarkedAsAReplicaApplyMovesADraftPrdStraightToApproved() throws SQLException {
        UUID prd = UUID.randomUUID();
        String approve = "UPDATE factory.prds SET status = 'approved', version = 3 WHERE id = '" + prd + "'";
        try (Connection c = TestDatabases.superuser(endpoints, DATABASE); Statement st = c.createStatement()) {
            st.execute("INSERT INTO factory.prds (id, slug, title, body, status, version, created_at, created_by, "
                    + "updated_at, updated_by) VALUES ('" + prd + "', 'p-" + prd + "', 'PRD', '', 'draft', 1, now(), "
                    + "'it', now(), 'it')");

            assertThatThrownBy(() -> st.execute(approve)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot move from draft to approved")
                    .extracting(x -> ((SQLException) x).getSQLState()).isEqualTo(CHECK_VIOLATION);

            c.setAutoCommit(false);
            st.execute(MARK);
            st.execute(approve);
            c.commit();
            assertThat(status(st, prd)).isEqualTo("approved");

            // the mark ended with its transaction: the next one is held to the lifecycle again
            assertThatThrownBy(() -> st.execute("UPDATE factory.prds SET status = 'draft' WHERE id = '" + prd + "'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("cannot move from approved to draft");
            c.rollback();
        }
    }

    private static String status(Statement st, UUID prd) throws SQLException {
        try (var rs = st.executeQuery("SELECT status FROM factory.prds WHERE id = '" + prd + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
