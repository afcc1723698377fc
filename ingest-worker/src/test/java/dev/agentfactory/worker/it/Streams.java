package dev.agentfactory.worker.it;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;

/** Publishing a workload and waiting for the worker's progress. */
final class Streams {

    private Streams() {
    }

    static List<UUID> anchorIds(int n) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    /** Sends every envelope (in order, per key) and waits for the broker's acks. */
    static void send(WriteProducer producer, List<WriteEnvelope> sends) {
        List<CompletableFuture<?>> acks = new ArrayList<>(sends.size());
        for (WriteEnvelope e : sends) {
            acks.add(producer.send(e));
        }
        producer.flush();
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    }

    /** Sends in the background. */
    static CompletableFuture<Void> sendAsync(WriteProducer producer, List<WriteEnvelope> sends) {
        return CompletableFuture.runAsync(() -> send(producer, sends));
    }

    static long processed(TestBed bed) {
        return bed.count("SELECT count(*) FROM factory.processed_events");
    }
}
