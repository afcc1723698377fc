package dev.agentfactory.relay.sink;

/**
 * A delivery that no retry can make succeed (an audit event larger than Kafka accepts): the dispatcher does not
 * spend its attempts on it but stops the engine at once, and the relay stays at that transaction, restarting after
 * its backoff, until an operator raises the limit that refused it. Never skipped: every sink is a contract.
 */
public class UndeliverableException extends Exception {

    public UndeliverableException(String message, Throwable cause) {
        super(message, cause);
    }
}
