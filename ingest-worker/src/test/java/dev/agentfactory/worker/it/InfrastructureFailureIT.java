package dev.agentfactory.worker.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.stack.junit.PrivateStacks;

/**
 * Exactly-once effects when the infrastructure fails mid-stream, on a private stack: PostgreSQL
 * crashes (immediate stop, WAL recovery) and the broker restarts, while the worker keeps running and
 * must pause, retry with backoff and skip nothing, and be healthy again afterwards.
 */
class InfrastructureFailureIT {

    static final int EVENTS = Integer.getInteger("it.worker.failure-events", 20_000);

    private static LocalStack stack;

    @BeforeAll
    static void startPrivateStack() throws Exception {
        stack = PrivateStacks.start(Path.of("target", "private-stack-worker-failures"));
    }

    @AfterAll
    static void stopPrivateStack() {
        if (stack != null) {
            PrivateStacks.stop(stack);
        }
    }

    @Test
    void everyEventTakesEffectOnceWhenPostgresCrashesMidStream() throws Exception {
        runThrough("pgcrash", 44, () -> stack.primary().crashAndRestart());
    }

    @Test
    void everyEventTakesEffectOnceWhenTheBrokerRestartsMidStream() throws Exception {
        runThrough("kafkarestart", 45, () -> stack.requestKafkaRestart());
    }

    private void runThrough(String name, long seed, Runnable failure) throws Exception {
        TestBed bed = new TestBed(name, stack.endpoints(), stack.primary());
        List<UUID> anchorIds = Streams.anchorIds(5);
        Workload anchors = Workload.anchors(anchorIds, name + "x");
        Workload load = Workload.generate(seed, EVENTS, anchorIds, name);
        try (WorkerProcess worker = new WorkerProcess(name, bed.workerProperties());
             WriteProducer producer = bed.producer()) {
            worker.start().awaitHealthy(Duration.ofSeconds(90));
            Streams.send(producer, anchors.sends);
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            CompletableFuture<Void> streaming = Streams.sendAsync(producer, load.sends, 2000);
            long third = load.distinctEvents / 3;
            Poll.until(Duration.ofSeconds(180), "a third processed", () -> Streams.processed(bed) >= third);
            failure.run();
            streaming.join();
            bed.awaitCaughtUp(Duration.ofSeconds(240));
            org.assertj.core.api.Assertions.assertThat(worker.alive()).as("the worker survived").isTrue();
            // and its health says so again: the Kafka health check's admin client (which does not rebootstrap,
            // PlatformAutoConfiguration) found the broker back
            worker.awaitHealthy(Duration.ofSeconds(60));
        }
        ModelAssert.assertMatches(bed, anchors, load);
    }
}
