package dev.agentfactory.relay.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.agentfactory.relay.TestCdcProperties;
import dev.agentfactory.relay.change.RowChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class SinkDispatcherTest {

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        executor.shutdownNow();
    }

    /**
     * The engine's stop interrupts the thread delivering (Debezium 3.6 cancels its polling thread). The sink calls of
     * that delivery are interrupted with it; they used to go on until the sink timeout (20 s here), and then be
     * retried, while the application context closed their clients.
     */
    @Test
    void anInterruptedDeliveryInterruptsItsSinkCalls() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch sinkInterrupted = new CountDownLatch(1);
        Sink blocking = new Sink() {
            @Override
            public String name() {
                return "blocking";
            }

            @Override
            public void apply(List<RowChange> changes) {
                called.countDown();
                try {
                    new CountDownLatch(1).await(); // a write waiting on its destination
                } catch (InterruptedException e) {
                    sinkInterrupted.countDown();
                }
            }
        };
        SinkDispatcher dispatcher = new SinkDispatcher(List.of(blocking), executor,
                TestCdcProperties.with(Map.of("sink-timeout", "20s")), new SimpleMeterRegistry());
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread delivering = new Thread(() -> {
            try {
                dispatcher.deliver(List.of());
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "polling");
        delivering.start();
        assertThat(called.await(5, TimeUnit.SECONDS)).as("the sink called").isTrue();

        delivering.interrupt();

        assertThat(sinkInterrupted.await(2, TimeUnit.SECONDS)).as("the sink call interrupted").isTrue();
        delivering.join(2000);
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
    }

    /**
     * A delivery is a whole transaction, re-delivered the same after every restart: one too large to apply within the
     * sink timeout stalls the relay on it for good, and the failure must say so, with the delivery's size.
     */
    @Test
    void aDeliveryThatOutlastsTheSinkTimeoutFailsNamingItsSizeAndTheSetting() {
        Sink slow = new Sink() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public void apply(List<RowChange> changes) throws InterruptedException {
                Thread.sleep(5_000);
            }
        };
        SinkDispatcher dispatcher = new SinkDispatcher(List.of(slow), executor,
                TestCdcProperties.with(Map.of("sink-timeout", "100ms", "sink-attempts", "1")), new SimpleMeterRegistry());
        List<RowChange> changes = Collections.nCopies(3, null);

        assertThatThrownBy(() -> dispatcher.deliver(changes)).isInstanceOf(SinkDispatcher.SinkFailedException.class)
                .hasMessageContaining("sink slow failed 1 times")
                .hasMessageContaining("for a delivery of 3 change(s)")
                .hasMessageContaining("factory.cdc.sink-timeout");
    }
}
