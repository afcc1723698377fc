package dev.agentfactory.worker.writes;

import java.time.Duration;
import java.util.List;

/**
 * Where invalid records go. Called inside the batch's transaction and must return only once the broker
 * has them: the transaction then commits the offsets past them, so nothing is lost if the worker dies.
 */
public interface DeadLetterSink {

    void publish(List<Item> invalid);

    /**
     * The longest {@link #publish} may wait for the broker, its transaction open and idle meanwhile; zero where it
     * does not wait.
     */
    default Duration longestWait() {
        return Duration.ZERO;
    }
}
