package dev.agentfactory.ops.cli;

/** A command line that cannot be run as given; the commands answer it with the message and exit code 2. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
