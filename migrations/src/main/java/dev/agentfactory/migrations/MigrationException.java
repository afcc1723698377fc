package dev.agentfactory.migrations;

/** A migration command that cannot do what it was asked; its message is written for the operator. */
public class MigrationException extends RuntimeException {

    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
