package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class TransientRetryTest {

    private final TransientRetry retry = new TransientRetry(3, Duration.ofMillis(1), Duration.ofMillis(2));

    @Test
    void serializationFailuresDeadlocksAndLostConnectionsAreRetriedUntilTheySucceed() {
        for (RuntimeException failure : new RuntimeException[] {
                new CannotAcquireLockException("x", new SQLException("could not serialize", "40001")),
                new PessimisticLockingFailureException("x", new SQLException("deadlock detected", "40P01")),
                new CannotGetJdbcConnectionException("x", new SQLTransientConnectionException("refused", "08001"))}) {
            AtomicInteger calls = new AtomicInteger();
            String result = retry.run(() -> {
                if (calls.incrementAndGet() < 3) {
                    throw failure;
                }
                return "done";
            });
            assertThat(result).isEqualTo("done");
            assertThat(calls).hasValue(3);
        }
    }

    @Test
    void attemptsAreBounded() {
        AtomicInteger calls = new AtomicInteger();
        var deadlock = new CannotAcquireLockException("x", new SQLException("deadlock", "40P01"));
        assertThatThrownBy(() -> retry.run(() -> {
            calls.incrementAndGet();
            throw deadlock;
        })).isSameAs(deadlock);
        assertThat(calls).hasValue(3);
    }

    /**
     * A connection gone silent fails each attempt after the socket timeout (15 s in the gateway): four attempts held
     * a request a minute, past the 60 s after which Cloud Run gives up on it. With {@code maxElapsed}, no retry
     * starts later than that after the first attempt began.
     */
    @Test
    void noRetryStartsAfterMaxElapsed() {
        AtomicLong now = new AtomicLong();
        TransientRetry bounded = new TransientRetry(4, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(20),
                now::get);
        var socketTimeout = new CannotGetJdbcConnectionException("x",
                new SQLException("An I/O error occurred while sending to the backend", "08006"));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> bounded.run(() -> {
            calls.incrementAndGet();
            now.addAndGet(Duration.ofSeconds(15).toNanos());
            throw socketTimeout;
        })).isSameAs(socketTimeout);
        assertThat(calls).as("the first at 0 s, one retry at 15 s, none at 30 s").hasValue(2);

        AtomicInteger quick = new AtomicInteger();
        assertThat(bounded.run(() -> {
            if (quick.incrementAndGet() < 4) {
                now.addAndGet(Duration.ofMillis(10).toNanos());
                throw socketTimeout;
            }
            return "done";
        })).as("failures that come quickly keep every attempt").isEqualTo("done");
    }

    @Test
    void constraintViolationsAndOtherErrorsAreNeverRetried() {
        for (RuntimeException failure : new RuntimeException[] {
                new DuplicateKeyException("x", new SQLException("duplicate key", "23505")),
                new DataIntegrityViolationException("x", new SQLException("check", "23514")),
                new IllegalStateException("bug")}) {
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> retry.run(() -> {
                calls.incrementAndGet();
                throw failure;
            })).isSameAs(failure);
            assertThat(calls).hasValue(1);
        }
    }
}
