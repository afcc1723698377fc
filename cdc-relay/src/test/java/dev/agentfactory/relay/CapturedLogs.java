package dev.agentfactory.relay;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** What a class logs during a test, kept in a list appender. */
public final class CapturedLogs {

    private CapturedLogs() {
    }

    /** What {@code type} logs from now on; the appender's removal is added to {@code detach}, to run at the test's end. */
    public static ListAppender<ILoggingEvent> capture(Class<?> type, List<Runnable> detach) {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        logged.start();
        logger.addAppender(logged);
        detach.add(() -> logger.detachAppender(logged));
        return logged;
    }
}
