package dev.agentfactory.bench.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * An open-loop load generator: requests leave at a fixed rate whatever the server does, and each latency
 * is measured from the moment the request was due, not from when it was sent, so a stalled server shows
 * up in the percentiles instead of silently slowing the generator (no coordinated omission). Bounded by
 * a request count and by {@link #MAX_IN_FLIGHT}: a request due while that many are unanswered is not sent
 * and counts as an error (shed), as do requests unanswered at the deadline.
 */
final class OpenLoopLoad {

    static final int MAX_IN_FLIGHT = 256;

    /** The latencies of one run, in nanoseconds, and what went wrong. */
    record Result(String name, int rate, long[] latencies, int errors, double seconds) {

        double percentileMs(double p) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1_000_000.0;
        }

        double achievedRate() {
            return latencies.length / seconds;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String token;

    OpenLoopLoad(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /**
     * One request at a time (closed loop): the service time of a path without queueing, which on a busy
     * shared host separates the gateway's own cost from waiting for a CPU.
     */
    Result serial(String name, int count, IntFunction<String> path) {
        long[] latencies = new long[count];
        int errors = 0;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + path.apply(i))).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).GET().build();
            long t0 = System.nanoTime();
            try {
                if (http.send(req, HttpResponse.BodyHandlers.ofByteArray()).statusCode() == 200) {
                    latencies[i] = System.nanoTime() - t0;
                    continue;
                }
            } catch (Exception e) {
                // counted below
            }
            errors++;
            latencies[i] = -1;
        }
        long[] ok = Arrays.stream(latencies).filter(l -> l > 0).toArray();
        return new Result(name, 0, ok, errors, (System.nanoTime() - start) / 1e9);
    }

    /** Sends {@code count} requests at {@code rate} per second; {@code path} gives the i-th request's path. */
    Result run(String name, int rate, int count, IntFunction<String> path, int expectedStatus) {
        long[] latencies = new long[count];
        AtomicInteger inFlight = new AtomicInteger();
                CompletableFuture<?>[] inflight = new CompletableFuture<?>[count];
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * periodNanos;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 200_000));
            }
            if (inFlight.get() >= MAX_IN_FLIGHT) {
                latencies[i] = -1;
                inflight[i] = CompletableFuture.completedFuture(null);
                continue;
            }
            inFlight.incrementAndGet();
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + path.apply(i))).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).GET().build();
            int slot = i;
            inflight[i] = http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
                if (e != null || r.statusCode() != expectedStatus) {
                    latencies[slot] = -1;
                } else {
                    latencies[slot] = System.nanoTime() - due;
                }
                inFlight.decrementAndGet();
            });
        }
        try {
            CompletableFuture.allOf(inflight).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // unanswered requests are counted below
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] ok = Arrays.stream(latencies).filter(l -> l > 0).toArray();
        return new Result(name, rate, ok, count - ok.length, seconds);
    }
}
