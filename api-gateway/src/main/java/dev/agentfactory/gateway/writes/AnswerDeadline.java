package dev.agentfactory.gateway.writes;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long the answer to a write whose outcome is known may go on reading (the entity back, a conflicting entity, a
 * duplicate's reason): until the async request timeout ({@code spring.mvc.async.request-timeout}) less the time the
 * request has taken and {@link #MARGIN}. Past it the write is answered from its outcome alone (an applied one 202),
 * since at the request timeout Spring answers a bare 503 that a client retries, for a write already committed.
 * A request timeout of zero or less is none (the servlet container never ends the request): no deadline then.
 */
final class AnswerDeadline {

    /**
     * Left between the deadline and the request timeout: the answer given then reads nothing, but the timer can fire
     * late (a GC pause, a busy host), and the request began before {@link WriteAnswers} saw it (the body read, the token
     * checked), on the clock of a load balancer that cuts at the same 60 s (Cloud Run's timeoutSeconds).
     */
    static final Duration MARGIN = Duration.ofSeconds(3);
    /** The least a configuration must leave for reading back after the longest wait (a Redis timeout is 500 ms). */
    static final Duration MIN_READ = Duration.ofSeconds(5);
    /** Spring MVC leaves the async timeout to the servlet container when it is not set: Tomcat's is 30 s. */
    static final Duration CONTAINER_DEFAULT = Duration.ofSeconds(30);

    private final long requestTimeoutNanos;

    /** @param requestTimeout the async request timeout; zero or less for none */
    AnswerDeadline(Duration requestTimeout) {
        this.requestTimeoutNanos = requestTimeout.toNanos();
    }

    /**
     * The deadline of a configuration, refused at startup when the longest wait and {@link #MIN_READ} do not fit in the
     * request timeout before {@link #MARGIN}: an answer given after the wait would then have no time to read in.
     *
     * @param requestTimeout {@code spring.mvc.async.request-timeout}; null when not set (the container's default)
     * @param maxWait        {@code factory.gateway.max-wait}
     */
    static AnswerDeadline of(Duration requestTimeout, Duration maxWait) {
        Duration timeout = requestTimeout == null ? CONTAINER_DEFAULT : requestTimeout;
        Duration needed = maxWait.plus(MIN_READ).plus(MARGIN);
        if (!timeout.isNegative() && !timeout.isZero() && timeout.compareTo(needed) < 0) {
            throw new IllegalStateException("spring.mvc.async.request-timeout ("
                    + (requestTimeout == null ? "not set: the servlet container's " + timeout.toSeconds() + "s"
                            : timeout.toMillis() + "ms")
                    + ") must be at least factory.gateway.max-wait (" + maxWait.toMillis() + "ms) plus "
                    + MIN_READ.toSeconds() + "s to read an applied write back and a " + MARGIN.toSeconds()
                    + "s margin: " + needed.toSeconds() + "s. Raise the request timeout (and the load balancer's)"
                    + " or lower max-wait (FACTORY_GATEWAY_MAX_WAIT)");
        }
        return new AnswerDeadline(timeout);
    }

    /** Milliseconds left to read for a request that began at {@code startNanos}; {@link Long#MAX_VALUE} without a timeout. */
    long readMillis(long startNanos) {
        if (requestTimeoutNanos <= 0) {
            return Long.MAX_VALUE;
        }
        long left = requestTimeoutNanos - (System.nanoTime() - startNanos) - MARGIN.toNanos();
        return TimeUnit.NANOSECONDS.toMillis(left);
    }
}
