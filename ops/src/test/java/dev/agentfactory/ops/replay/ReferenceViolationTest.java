package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/** Which failures send a released batch back to the merge: reference violations only, however the driver wraps them. */
class ReferenceViolationTest {

    @Test
    void aForeignKeyViolationBehindABatchUpdateExceptionIsOne() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", "23503", new int[0]);
        assertThat(ReplayTransactions.referenceViolation(batch)).isTrue();
        BatchUpdateException stateless = new BatchUpdateException("Batch entry 0 was aborted", new int[0]);
        stateless.setNextException(new SQLException("violates its reference to table \"agents\"", "23503"));
        assertThat(ReplayTransactions.referenceViolation(stateless)).isTrue();
        assertThat(ReplayTransactions.referenceViolation(new SQLException("wrapped", "XX000",
                new SQLException("violates foreign key constraint", "23503")))).isTrue();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(ReplayTransactions.referenceViolation(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(ReplayTransactions.referenceViolation(new SQLException("connection lost", "08006"))).isFalse();
        assertThat(ReplayTransactions.referenceViolation(new SQLException("no state"))).isFalse();
    }
}
