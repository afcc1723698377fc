package dev.agentfactory.worker.it;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * Exactly-once effects on the shared stack: the worker process is SIGKILLed at random points of a
 * stream with duplicates and re-sends; then two instances share the group with rebalances mid-stream.
 * Afterwards the database must equal the model computed from the input, row by row, and the results topic
 * must hold an outcome for every record, each as the model has it.
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
        int kills = 5;
        // The stream is still flowing at every kill by construction, whatever the machine's load: the sends go out
        // in runs, each run after the previous kill, and the last only after the last kill.
        List<List<WriteEnvelope>> runs = load.sendsIn(kills + 1);
        try (WorkerProcess worker = new WorkerProcess("kill", bed.workerProperties());
             WriteProducer producer = bed.producer()) {
            worker.start().awaitHealthy(Duration.ofSeconds(90));
            Streams.send(producer, anchors.sends);
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            Random random = new Random(7);
            Set<UUID> sent = new HashSet<>();
            anchors.sends.forEach(e -> sent.add(e.eventId()));
            for (int k = 0; k < kills; k++) {
                long before = sent.size();
                runs.get(k).forEach(e -> sent.add(e.eventId()));
                // somewhere in this run's events, then a random moment of the batch cycle
                long target = before + (long) ((sent.size() - before) * (0.2 + 0.6 * random.nextDouble()));
                CompletableFuture<Void> run = Streams.sendAsync(producer, runs.get(k), 4000);
                Poll.until(Duration.ofSeconds(180), "progress to " + target, () -> Streams.processed(bed) >= target);
                LockSupport.parkNanos(Duration.ofMillis(random.nextInt(250)).toNanos());
                worker.kill();
                worker.start().awaitHealthy(Duration.ofSeconds(90));
                run.join();
            }
            Streams.send(producer, runs.get(kills));
            bed.awaitCaughtUp(Duration.ofSeconds(240));
            // The rows reach the database before their outcomes reach the results topic, so the SIGKILL of
            // close() right here could land between the two for the last batch (a restart would publish them
            // again). A graceful stop finishes that batch: its outcomes go out and Kafka's offsets follow.
            worker.stop();
            assertThat(bed.kafkaCommittedOffsets()).as("Kafka's committed offsets against the database's")
                    .isEqualTo(bed.storedOffsets());
        }
        ModelAssert.assertMatches(bed, anchors, load);
        ModelAssert.assertOutcomes(TopicReader.outcomes(endpoints.kafkaBootstrap(), bed.resultsTopic,
                Duration.ofSeconds(120)), anchors, load);
    }

    @Test
    void twoInstancesAndRebalancesMidStreamStillApplyEachEventOnce(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("scale", endpoints, stack.primary());
        List<UUID> anchorIds = Streams.anchorIds(5);
        Workload anchors = Workload.anchors(anchorIds, "scalex");
        Workload load = Workload.generate(43, EVENTS / 2, anchorIds, "scale");
        // Three runs of sends, each following the previous one's acknowledgements (one sender at a time, so each
        // key's records keep their order): the first flows while an instance dies, the second while it rejoins, and
        // the third only once it has its partitions again, so the rejoined instance provably consumes.
        List<List<WriteEnvelope>> runs = load.sendsIn(3);
        try (WorkerProcess first = new WorkerProcess("scale-1", bed.workerProperties());
             WorkerProcess second = new WorkerProcess("scale-2", bed.workerProperties());
             WriteProducer producer = bed.producer()) {
            first.start();
            second.start();
            first.awaitHealthy(Duration.ofSeconds(90));
            second.awaitHealthy(Duration.ofSeconds(90));
            Streams.send(producer, anchors.sends);
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            CompletableFuture<Void> head = Streams.sendAsync(producer, runs.get(0), 1000);
            Poll.until(Duration.ofSeconds(120), "both instances consuming their share", () ->
                    Streams.meter(first, "factory_ingest_consumed_total") > 0
                            && Streams.meter(second, "factory_ingest_consumed_total") > 0);
            long sixth = load.distinctEvents / 6;
            Poll.until(Duration.ofSeconds(180), "a sixth processed", () -> Streams.processed(bed) >= sixth);
            first.kill();
            head.join();
            CompletableFuture<Void> middle = Streams.sendAsync(producer, runs.get(1), 500);
            Poll.until(Duration.ofSeconds(180), "half processed", () -> Streams.processed(bed) >= 3 * sixth);
            // rejoining takes the surviving instance's partitions away while it works through the middle run
            first.start().awaitHealthy(Duration.ofSeconds(90));
            middle.join();
            bed.awaitAgentPartitionPerMember(4, Duration.ofSeconds(120)); // two instances of two consumer threads
            Streams.send(producer, runs.get(2));
            bed.awaitCaughtUp(Duration.ofSeconds(240));
            assertThat(Streams.meter(first, "factory_ingest_consumed_total")).as("records the rejoined instance took")
                    .isPositive();
            // the killed instance's last commit may have reached the database but not Kafka; after the
            // rebalances and a graceful stop (SIGTERM) both agree again
            first.stop();
            second.stop();
            assertThat(bed.kafkaCommittedOffsets()).as("Kafka's committed offsets against the database's")
                    .isEqualTo(bed.storedOffsets());
        }
        ModelAssert.assertMatches(bed, anchors, load);
        ModelAssert.assertOutcomes(TopicReader.outcomes(endpoints.kafkaBootstrap(), bed.resultsTopic,
                Duration.ofSeconds(120)), anchors, load);
    }
}
