package dev.agentfactory.gateway.problem;

import java.io.IOException;

/** A request body grew past the gateway's limit while it was read. */
public class BodyTooLargeException extends IOException {

    public BodyTooLargeException(long maxBytes) {
        super("request body exceeds " + maxBytes + " bytes");
    }
}
