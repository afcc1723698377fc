package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

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
