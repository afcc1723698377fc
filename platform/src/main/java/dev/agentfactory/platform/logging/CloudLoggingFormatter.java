package dev.agentfactory.platform.logging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.event.KeyValuePair;
import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.logging.structured.StructuredLogFormatter;
import org.springframework.core.env.Environment;

/**
 * One JSON object per log line in the shape Cloud Logging reads from a container's stdout
 * (severity, message, time, {@code logging.googleapis.com/trace} and {@code spanId}, serviceContext
 * for Error Reporting, stack_trace). None of Boot's built-in formats (ecs, gelf, logstash) carries
 * {@code severity} or the trace fields. Secrets are masked and messages bounded before they are written.
 */
public class CloudLoggingFormatter implements StructuredLogFormatter<ILoggingEvent> {

    static final String TRACE_ID = "traceId";
    static final String SPAN_ID = "spanId";
    static final String TRACE_FIELD = "logging.googleapis.com/trace";
    static final String SPAN_FIELD = "logging.googleapis.com/spanId";

    private final JsonWriter<ILoggingEvent> writer;

    /** Boot's structured logging instantiates the formatter with these. */
    public CloudLoggingFormatter(Environment environment, ThrowableProxyConverter throwableProxyConverter) {
        SecretMasker masker = SecretMasker.from(environment);
        LoggingSettings settings = LoggingSettings.from(environment);
        this.writer = JsonWriter.<ILoggingEvent>of(members -> {
            members.add("time", ILoggingEvent::getInstant).as(Object::toString);
            members.add("severity", ILoggingEvent::getLevel).as(CloudLoggingFormatter::severity);
            members.add("message", event -> settings.bounded(masker.mask(event.getFormattedMessage())));
            members.add("logger", ILoggingEvent::getLoggerName);
            members.add("thread", ILoggingEvent::getThreadName);
            members.add(TRACE_FIELD, event -> settings.traceName(event.getMDCPropertyMap().get(TRACE_ID)))
                    .whenNotNull();
            members.add(SPAN_FIELD, event -> event.getMDCPropertyMap().get(SPAN_ID)).whenNotNull();
            members.add("context", event -> context(event, masker)).whenNotEmpty();
            members.add("stack_trace", event -> masker.mask(throwableProxyConverter.convert(event)))
                    .whenHasLength();
            members.add("serviceContext", Map.of("service", settings.service()));
        }).withNewLineAtEnd();
    }

    @Override
    public String format(ILoggingEvent event) {
        return writer.writeToString(event);
    }

    static String severity(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "ERROR";
            case Level.WARN_INT -> "WARNING";
            case Level.INFO_INT -> "INFO";
            default -> "DEBUG";
        };
    }

    /** MDC entries (without the trace ids, written above) and SLF4J key-value pairs, masked. */
    private static Map<String, String> context(ILoggingEvent event, SecretMasker masker) {
        Map<String, String> context = new LinkedHashMap<>();
        event.getMDCPropertyMap().forEach((key, value) -> {
            if (!key.equals(TRACE_ID) && !key.equals(SPAN_ID)) {
                context.put(key, masker.mask(value));
            }
        });
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            pairs.forEach(pair -> context.put(pair.key, masker.mask(String.valueOf(pair.value))));
        }
        return context;
    }
}
