package dev.agentfactory.platform.logging;

import org.springframework.core.env.Environment;

/**
 * What the log formatter reads from the environment: the service name, the Google Cloud project
 * that trace ids belong to, and the longest message written.
 */
record LoggingSettings(String service, String project, int maxMessageChars) {

    static final int DEFAULT_MAX_MESSAGE_CHARS = 8192;
    static final String TRUNCATED = "…[truncated]";

    static LoggingSettings from(Environment environment) {
        return new LoggingSettings(
                environment.getProperty("spring.application.name", "unknown"),
                environment.getProperty("factory.logging.gcp-project",
                        environment.getProperty("GOOGLE_CLOUD_PROJECT", "")),
                environment.getProperty("factory.logging.max-message-chars", Integer.class,
                        DEFAULT_MAX_MESSAGE_CHARS));
    }

    /** Cloud Logging links a line to its trace only by the full resource name. */
    String traceName(String traceId) {
        if (traceId == null || traceId.isBlank()) {
            return null;
        }
        return project.isBlank() ? traceId : "projects/" + project + "/traces/" + traceId;
    }

    /** A backstop against a payload dumped into a message: the line stays one readable entry. */
    String bounded(String message) {
        if (message == null || message.length() <= maxMessageChars) {
            return message;
        }
        return message.substring(0, maxMessageChars) + TRUNCATED;
    }
}
