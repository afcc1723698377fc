package dev.agentfactory.worker.writes;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * A database failure of a batch, classified: a data error (SQLSTATE class 22 or 23, or a trigger's
 * RAISE) means some record in the batch is at fault and the batch is split to isolate it; anything else
 * (connection loss, serialization failure, deadlock, shutdown) is transient and the batch is retried.
 */
public final class BatchSqlException extends RuntimeException {

    public BatchSqlException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public boolean dataError() {
        if (getCause() instanceof SQLTransientException || getCause() instanceof SQLRecoverableException) {
            return false;
        }
        String state = ((SQLException) getCause()).getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.equals("P0001"));
    }
}
