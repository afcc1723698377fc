package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Marks the current transaction as one that copies rows already checked where they were first written, so the
 * schema's business-rule triggers step aside (V4_6: a PRD's status transitions); reference checks and constraints
 * still run. For a writer that cannot use replica mode ({@link ReplicaSession}: superusers only), such as the relay's
 * standby sink as {@code factory_writer}: a copy may skip versions (a snapshot delivers each PRD at its latest only),
 * and the transition from the stored version to that one need not be one the lifecycle allows in a single step.
 * A custom setting any session may set: on a schema older than V4_6 it is set and ignored.
 */
public final class ReplicaApply {

    static final String MARK_SQL = "SET LOCAL factory.replica_apply = on";

    private ReplicaApply() {
    }

    /** Marks the connection's current transaction (autocommit off); it ends with the transaction. */
    public static void mark(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(MARK_SQL);
        }
    }
}
