package dev.agentfactory.relay.health;

import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.engine.RelayRunner;
import dev.agentfactory.relay.engine.ReplicationSlot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads the slot lag on a schedule, publishes it as {@code factory.cdc.slot.lag.bytes}, and reports health:
 * DOWN when the slot holds more WAL than {@code factory.cdc.slot-lag-down-bytes} (the relay is not keeping
 * up, or is not running while the slot pins WAL on the primary); UNKNOWN while the lag cannot be read (no slot
 * yet, or the query failed). A waiting standby instance is UP.
 */
public class SlotLagMonitor extends AbstractHealthIndicator implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SlotLagMonitor.class);

    private final ReplicationSlot slot;
    private final RelayRunner runner;
    private final long downBytes;
    private final AtomicLong lag = new AtomicLong(-1);
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "cdc-slot-lag"));

    public SlotLagMonitor(ReplicationSlot slot, RelayRunner runner, CdcProperties props, MeterRegistry meters) {
        super("slot lag check failed");
        this.slot = slot;
        this.runner = runner;
        this.downBytes = props.slotLagDownBytes();
        Gauge.builder("factory.cdc.slot.lag.bytes", lag, AtomicLong::get).baseUnit("bytes").register(meters);
        long every = props.slotLagPollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::poll, 0, every, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            OptionalLong bytes = slot.lagBytes();
            lag.set(bytes.orElse(-1));
        } catch (Exception e) {
            log.warn("cannot read slot lag: {}", e.toString());
            lag.set(-1);
        }
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        long bytes = lag.get();
        // Unknown (slot not there yet, or the lag query failed) is not UP: UNKNOWN shows it without failing
        // readiness, since it ranks below UP in the aggregate.
        // The lag is the slot's, not this instance's: a waiting instance is healthy whatever the leader's lag
        // (DOWN would only get it restarted by a platform that acts on health).
        RelayRunner.Role role = runner.role();
        boolean behind = bytes > downBytes && role != RelayRunner.Role.WAITING;
        builder.status(bytes < 0 ? "UNKNOWN" : behind ? "DOWN" : "UP")
                .withDetail("role", role.name())
                .withDetail("streamFailures", runner.streamFailures())
                .withDetail("slotLagBytes", bytes)
                .withDetail("downAboveBytes", downBytes);
    }

    @Override
    public void destroy() {
        poller.shutdownNow();
    }
}
