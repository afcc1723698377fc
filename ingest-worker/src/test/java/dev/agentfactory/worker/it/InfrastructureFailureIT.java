package dev.agentfactory.worker.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.WriteEnvelope;
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
        // The failure strikes mid-stream by construction, however slow the machine: the last third of the sends goes
        // out only after it (following the first two thirds' acknowledgements, so each key keeps its order).
        List<List<WriteEnvelope>> runs = load.sendsIn(3);
        try (WorkerProcess worker = new WorkerProcess(name, bed.workerProperties());
             WriteProducer producer = bed.producer()) {
            worker.start().awaitHealthy(Duration.ofSeconds(90));
            Streams.send(producer, anchors.sends);
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            CompletableFuture<Void> head = Streams.sendAsync(producer, runs.get(0), 2000)
                    .thenCompose(v -> Streams.sendAsync(producer, runs.get(1), 2000));
            long sixth = load.distinctEvents / 6;
            Poll.until(Duration.ofSeconds(180), "a sixth processed", () -> Streams.processed(bed) >= sixth);
            failure.run();
            head.join();
            Streams.send(producer, runs.get(2));
            bed.awaitCaughtUp(Duration.ofSeconds(240));
            assertThat(worker.alive()).as("the worker survived").isTrue();
            // and its health says so again: the Kafka health check's admin client (which does not rebootstrap,
            // PlatformAutoConfiguration) found the broker back
            worker.awaitHealthy(Duration.ofSeconds(60));
            // a graceful stop publishes the last batch's outcomes and commits its offsets to Kafka too
            worker.stop();
            assertThat(bed.kafkaCommittedOffsets()).as("Kafka's committed offsets against the database's")
                    .isEqualTo(bed.storedOffsets());
        }
        ModelAssert.assertMatches(bed, anchors, load);
        ModelAssert.assertOutcomes(TopicReader.outcomes(stack.endpoints().kafkaBootstrap(), bed.resultsTopic,
                Duration.ofSeconds(120)), anchors, load);
    }
}
