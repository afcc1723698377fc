package dev.agentfactory.relay.engine;

import java.time.Duration;

/**
 * The pause before the engine is started again after it stopped on an error: {@code restart-backoff} after the first
 * failure, doubled after each further one with no change delivered in between (and a stream shorter than the longest
 * pause), at most {@code restart-backoff-max}. An engine
 * that stops on the same transaction at every start (an audit event Kafka refuses) delivers the rest of that delivery
 * again each time, the audit events included: at a fixed pause, up to max-delivery-bytes every 5 s until an operator
 * raised the limit. One call per leader thread, so not thread-safe.
 */
final class RestartBackoff {

    private final Duration first;
    private final Duration max;
    private Duration next;

    RestartBackoff(Duration first, Duration max) {
        this.first = first;
        this.max = max;
        this.next = first;
    }

    /** The pause after this failure; the next one is twice as long, up to the maximum. */
    Duration afterFailure() {
        Duration pause = next;
        next = next.compareTo(max.dividedBy(2)) > 0 ? max : next.multipliedBy(2);
        return pause;
    }

    /**
     * A stream ended. If it delivered changes, or ran at least the longest pause (on a quiet system a stream carries
     * only heartbeats for hours, and failures hours apart, a primary restart, a lost lock session, are unrelated
     * ones), its next failure is a first one again: a doubled pause would hold back the writes that follow it.
     */
    void streamEnded(boolean delivered, Duration ran) {
        if (delivered || ran.compareTo(max) >= 0) {
            next = first;
        }
    }
}
