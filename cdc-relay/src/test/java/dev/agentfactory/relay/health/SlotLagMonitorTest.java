package dev.agentfactory.relay.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.TestCdcProperties;
import dev.agentfactory.relay.engine.RelayRunner;
import dev.agentfactory.relay.engine.ReplicationSlot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class SlotLagMonitorTest {

    final AtomicLong lag = new AtomicLong();
    final AtomicBoolean failing = new AtomicBoolean();
    final ReplicationSlot slot = new ReplicationSlot(null, "s") {
        @Override
        public OptionalLong lagBytes() throws SQLException {
            if (failing.get()) {
                throw new SQLException("connection refused");
            }
            return lag.get() < 0 ? OptionalLong.empty() : OptionalLong.of(lag.get());
        }
    };
    final CdcProperties props = TestCdcProperties.with(Map.of("slot-lag-down-bytes", "1000",
            "slot-lag-poll-interval", "20ms"));
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void healthGoesDownWhenTheSlotHoldsMoreWalThanTheThreshold() throws Exception {
        SlotLagMonitor monitor = new SlotLagMonitor(slot, new RelayRunner(props, null, slot, null), props, meters);
        try {
            lag.set(10);
            awaitGauge(10);
            assertThat(monitor.health(true).getStatus()).isEqualTo(Status.UP);
            lag.set(5000);
            awaitGauge(5000);
            Health health = monitor.health(true);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("slotLagBytes", 5000L);
        } finally {
            monitor.destroy();
        }
    }

    @Test
    void aWaitingInstanceStaysUpWhateverTheLeadersSlotLag() throws Exception {
        RelayRunner waiting = new RelayRunner(props, null, slot, null) {
            @Override
            public Role role() {
                return Role.WAITING;
            }
        };
        SlotLagMonitor monitor = new SlotLagMonitor(slot, waiting, props, meters);
        try {
            lag.set(5000);
            awaitGauge(5000);
            Health health = monitor.health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("role", "WAITING").containsEntry("slotLagBytes", 5000L);
        } finally {
            monitor.destroy();
        }
    }

    /**
     * From a known lag, never from the gauge's initial -1, which a monitor that never polled would show too: the slot
     * gone, then the lag query failing, each turn the gauge to -1 and health to UNKNOWN.
     */
    @Test
    void healthIsUnknownNotUpWhileTheSlotCannotBeRead() throws Exception {
        SlotLagMonitor monitor = new SlotLagMonitor(slot, new RelayRunner(props, null, slot, null), props, meters);
        try {
            lag.set(10);
            awaitGauge(10);
            lag.set(-1); // no slot (yet, or any more)
            awaitGauge(-1);
            assertThat(monitor.health(true).getStatus()).isEqualTo(Status.UNKNOWN);

            lag.set(10);
            awaitGauge(10);
            failing.set(true);
            awaitGauge(-1);
            assertThat(monitor.health(true).getStatus()).isEqualTo(Status.UNKNOWN);
        } finally {
            monitor.destroy();
        }
    }

    private void awaitGauge(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (meters.get("factory.cdc.slot.lag.bytes").gauge().value() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(meters.get("factory.cdc.slot.lag.bytes").gauge().value()).isEqualTo(expected);
    }
}
