package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Puts the current transaction in replica mode ({@code session_replication_role = replica}) when the session
 * may (a superuser): triggers and foreign-key checks are off, as for PostgreSQL's own logical replication.
 * Right for rows that were already checked where they were first written (a snapshot, a change stream whose
 * topics are not ordered with each other); a session without the privilege applies them with checks on.
 */
public final class ReplicaSession {

    static final String IS_SUPERUSER_SQL = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user";

    private ReplicaSession() {
    }

    /** Returns whether replica mode is on for the current transaction. */
    public static boolean enter(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(IS_SUPERUSER_SQL)) {
            if (rs.next() && rs.getBoolean(1)) {
                st.execute("SET LOCAL session_replication_role = replica");
                return true;
            }
            return false;
        }
    }
}
