package dev.agentfactory.ops.cli;

/**
 * An operation that was refused or failed in a way the operator must act on (a corrupted backup, a standby
 * that has not caught up); the commands print the message and exit with code 1.
 */
public final class OpsException extends RuntimeException {

    public OpsException(String message) {
        super(message);
    }

    public OpsException(String message, Throwable cause) {
        super(message, cause);
    }
}
