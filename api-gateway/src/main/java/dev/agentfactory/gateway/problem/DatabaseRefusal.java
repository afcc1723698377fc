package dev.agentfactory.gateway.problem;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Tells a database error caused by the request's content from a failure of the database itself, by the
 * SQLSTATE of the first {@link SQLException} in the cause chain (Spring's translation keeps the driver's
 * exception as a cause). Only content errors are named: anything else, known or not, stays retryable.
 */
final class DatabaseRefusal {

    /** Bounds the walk should a cause chain ever loop. */
    private static final int MAX_DEPTH = 32;

    private DatabaseRefusal() {
    }

    /**
     * A short reason to give the client when the database refused the request's content (the data exceptions of
     * SQLSTATE class 22 that values cause, or class 54, program limit exceeded): retrying can never succeed.
     * Empty for everything else (connections, resources, cancellations, serialization failures, unknown).
     */
    static Optional<String> reason(Throwable error) {
        String state = sqlState(error);
        if (state == null || state.length() != 5) {
            return Optional.empty();
        }
        if (state.startsWith("54")) {
            return Optional.of("the request exceeds a limit of the database (too many or too large values)");
        }
        // The data exceptions a request's values cause; the rest of class 22 (division by zero, a bad argument
        // to a function) would be the gateway's own SQL at fault, not the client's: those stay 503.
        return Optional.ofNullable(switch (state) {
            case "22007", "22008", "22009", "22015" -> "a date, time or interval in the request is out of range or"
                    + " not valid";
            case "22001", "22026" -> "a value in the request is too long";
            case "22021", "22P05", "22023" -> "a value in the request contains characters the database cannot"
                    + " store";
            case "22003", "22P02" -> "a value in the request is not valid for the database";
            default -> null;
        });
    }

    /** The SQLSTATE of the first SQLException in the chain that has one; null when there is none. */
    static String sqlState(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
