package dev.agentfactory.worker.it;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * Exactly-once effects on the shared stack: the worker process is SIGKILLed at random points of a
 * stream with duplicates and re-sends; then two instances share the group with rebalances mid-stream.
 * Afterwards the database must equal the model computed from the input.
 */
@ExtendWith(LocalStackExtension.class)
class CrashSafetyIT {

    static final int EVENTS = Integer.getInteger("it.worker.events", 50_000);

    @Test
    void everyEventTakesEffectOnceWhenTheWorkerIsKilledMidStream(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("kill", endpoints, stack.primary());
        List<UUID> anchorIds = Streams.anchorIds(5);
        Workload anchors = Workload.anchors(anchorIds, "killx");
        Workload load = Workload.generate(42, EVENTS, anchorIds, "kill");
        try (WorkerProcess worker = new WorkerProcess("kill", bed.workerProperties());
             WriteProducer producer = bed.producer()) {
            worker.start().awaitHealthy(Duration.ofSeconds(90));
            Streams.send(producer, anchors.sends);
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            CompletableFuture<Void> streaming = Streams.sendAsync(producer, load.sends, 4000);
            Random random = new Random(7);
            int kills = 3;
            for (int k = 0; k < kills; k++) {
                long target = anchors.distinctEvents
                        + (long) (load.distinctEvents * (k + random.nextDouble()) / (kills + 1));
                Poll.until(Duration.ofSeconds(180), "progress to " + target, () -> Streams.processed(bed) >= target);
                worker.kill();
                worker.start().awaitHealthy(Duration.ofSeconds(90));
            }
            streaming.join();
            bed.awaitCaughtUp(Duration.ofSeconds(240));
            // The rows reach the database before their outcomes reach the results topic, so the SIGKILL of
            // close() right here could land between the two for the last batch (a restart would publish them
            // again). A graceful stop finishes that batch: its outcomes go out and Kafka's offsets follow.
            worker.stop();
            assertThat(bed.kafkaCommittedOffsets()).as("Kafka's committed offsets against the database's")
                    .isEqualTo(bed.storedOffsets());
        }
        ModelAssert.assertMatches(bed, anchors, load);
        java.util.Set<UUID> eventIds = new java.util.HashSet<>();
        anchors.sends.forEach(e -> eventIds.add(e.eventId()));
        load.sends.forEach(e -> eventIds.add(e.eventId()));
        assertThat(TopicReader.missingOutcomes(endpoints.kafkaBootstrap(), bed.resultsTopic, eventIds,
                Duration.ofSeconds(120))).as("events without an outcome on the results topic").isEmpty();
    }

    @Test
    void twoInstancesAndRebalancesMidStreamStillApplyEachEventOnce(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("scale", endpoints, stack.primary());
        List<UUID> anchorIds = Streams.anchorIds(5);
        Workload anchors = Workload.anchors(anchorIds, "scalex");
        Workload load = Workload.generate(43, EVENTS / 2, anchorIds, "scale");
        try (WorkerProcess first = new WorkerProcess("scale-1", bed.workerProperties());
             WorkerProcess second = new WorkerProcess("scale-2", bed.workerProperties());
             WriteProducer producer = bed.producer()) {
            first.start();
            second.start();
            first.awaitHealthy(Duration.ofSeconds(90));
            second.awaitHealthy(Duration.ofSeconds(90));
            Streams.send(producer, anchors.sends);
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            // The stream is still flowing when an instance dies by construction, whatever the machine's load: the
            // last third of the sends goes out only after the kill. It follows the first two thirds once they are
            // all acknowledged (one sender at a time), so each key's records keep their order.
            int split = load.sends.size() * 2 / 3;
            CompletableFuture<Void> head = Streams.sendAsync(producer, load.sends.subList(0, split), 1000);
            Poll.until(Duration.ofSeconds(120), "both instances consuming their share", () ->
                    Streams.meter(first, "factory_ingest_consumed_total") > 0
                            && Streams.meter(second, "factory_ingest_consumed_total") > 0);
            long third = load.distinctEvents / 3;
            Poll.until(Duration.ofSeconds(180), "a third processed", () -> Streams.processed(bed) >= third);
            first.kill();
            head.join();
            CompletableFuture<Void> tail = Streams.sendAsync(producer, load.sends.subList(split, load.sends.size()),
                    1000);
            Poll.until(Duration.ofSeconds(180), "two thirds processed", () -> Streams.processed(bed) >= 2 * third);
            first.start();
            tail.join();
            bed.awaitCaughtUp(Duration.ofSeconds(240));
            // the killed instance's last commit may have reached the database but not Kafka; after the
            // rebalances and a graceful stop (SIGTERM) both agree again
            first.stop();
            second.stop();
            assertThat(bed.kafkaCommittedOffsets()).as("Kafka's committed offsets against the database's")
                    .isEqualTo(bed.storedOffsets());
        }
        ModelAssert.assertMatches(bed, anchors, load);
    }
}
