package dev.agentfactory.worker.it;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;

/** Publishing a workload and waiting for the worker's progress. */
public final class Streams {

    private Streams() {
    }

    public static List<UUID> anchorIds(int n) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    /** Sends every envelope (in order, per key) and waits for the broker's acks. */
    public static void send(WriteProducer producer, List<WriteEnvelope> sends) {
        List<CompletableFuture<?>> acks = new ArrayList<>(sends.size());
        for (WriteEnvelope e : sends) {
            acks.add(producer.send(e));
        }
        producer.flush();
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    }

    /** Sends in the background at about {@code perSecond} records/s, so the stream outlasts crashes and rebalances. */
    public static CompletableFuture<Void> sendAsync(WriteProducer producer, List<WriteEnvelope> sends, int perSecond) {
        return CompletableFuture.runAsync(() -> {
            long start = System.nanoTime();
            int chunk = Math.max(1, perSecond / 20);
            for (int i = 0; i < sends.size(); i += chunk) {
                send(producer, sends.subList(i, Math.min(sends.size(), i + chunk)));
                long due = start + (long) ((i + chunk) * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        });
    }

    /** A counter of the worker's Prometheus page (0 when absent). */
    /**
     * The value of a Prometheus series scraped from the worker: the first sample of {@code name} carrying
     * every given {@code key="value"} label (other labels, such as the common {@code application} tag, may
     * be present too); 0 when there is none.
     */
    static double meter(WorkerProcess worker, String name, String... labels) {
        return sample(worker.get("/actuator/prometheus").body(), name, labels);
    }

    static double sample(String scrape, String name, String... labels) {
        for (String l : scrape.split("\n")) {
            if (!(l.startsWith(name + "{") || l.startsWith(name + " "))) {
                continue;
            }
            String series = l.substring(0, l.lastIndexOf(' '));
            if (java.util.Arrays.stream(labels).allMatch(series::contains)) {
                return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1).trim());
            }
        }
        return 0;
    }

    static long processed(TestBed bed) {
        return bed.count("SELECT count(*) FROM factory.processed_events");
    }
}
