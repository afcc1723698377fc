package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** The leader lock on the local stack's primary: one holder per key, and a session the server ends on a dead peer. */
@ExtendWith(LocalStackExtension.class)
class LeaderLockIT {

    @Test
    void oneInstanceHoldsTheLockUntilItClosesAndItsSessionEndsWithinThePeerTimeoutIfItsPeerVanishes(
            StackEndpoints endpoints) throws Exception {
        DebeziumConfig.Primary primary = new DebeziumConfig.Primary(endpoints.primaryJdbcUrl("postgres"),
                endpoints.superuser(), endpoints.superuserPassword());
        long key = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
        try (LeaderLock first = new LeaderLock(primary, key, Duration.ofSeconds(30));
             LeaderLock second = new LeaderLock(primary, key, Duration.ofSeconds(30))) {
            assertThat(first.tryAcquire()).isTrue();
            assertThat(first.tryAcquire()).as("held: taken once").isTrue();
            assertThat(second.tryAcquire()).isFalse();

            // A half-open session would otherwise keep the lock for the OS keepalive's two hours.
            assertThat(first.sessionSetting("tcp_keepalives_idle")).isEqualTo("10");
            assertThat(first.sessionSetting("tcp_keepalives_interval")).isEqualTo("6");
            assertThat(first.sessionSetting("tcp_keepalives_count")).isEqualTo("3");
            assertThat(first.sessionSetting("tcp_user_timeout")).isEqualTo("30000");

            first.close();
            assertThat(second.tryAcquire()).isTrue();
        }
    }
}
