package dev.agentfactory.worker.writes;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;

/** The row locks a batch takes, for the ITs of another package that hold one the way a concurrent batch does. */
public final class BatchLocks {

    private BatchLocks() {
    }

    /** Locks {@code agent} in {@code c}'s transaction as a batch that writes it does ({@link BatchLoader}). */
    public static void lockAgent(Connection c, UUID agent) throws SQLException {
        new BatchLoader().loadAgents(c, List.of(agent), new HashMap<>(), LoadedChars.unbounded());
    }
}
