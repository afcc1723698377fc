package dev.agentfactory.stack;

/** A local-stack failure whose message says what went wrong and, where it can, what to do. */
public class StackException extends RuntimeException {

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
