package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Moves each identity sequence past the largest value present. Rows copied in with their ids (a restore,
 * a replay, the relay's standby) leave the sequences where they were, and the first insert after the copy
 * becomes writable would otherwise collide with a copied row.
 */
public final class IdentitySequences {

    static final String ADVANCE_SQL = "SELECT setval(pg_get_serial_sequence('%1$s', '%2$s'), "
            + "coalesce((SELECT max(%3$s) FROM %1$s), 0) + 1, false)";

    private IdentitySequences() {
    }

    public static void advance(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (TableSpec t : TableSpec.FACTORY) {
                if (t.identityColumn() != null) {
                    st.execute(ADVANCE_SQL.formatted(t.qualified(), t.identityColumn(),
                            TableSpec.quote(t.identityColumn())));
                }
            }
        }
    }
}
