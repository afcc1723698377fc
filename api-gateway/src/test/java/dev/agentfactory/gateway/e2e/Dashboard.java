package dev.agentfactory.gateway.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.agentfactory.worker.it.Workload;

/**
 * A dashboard user of the gateway while the pipeline crashes: reads agents and PRDs by id in a loop (each
 * miss caches the row aside in Redis, racing the relay and the cache loss), and now and then appends a
 * history entry to an agent through the gateway (202, published to the same write topic as the agents),
 * some of them retried under their Idempotency-Key.
 * Keeps what must hold for it: no server error, and never an older version of an entity after a newer one
 * while Redis keeps what it acknowledged. After a cache loss that is not promised (api-gateway README): a relay
 * replaying after its restart, or behind, writes the versions it is at into the emptied keys, and the drop of its
 * read model that a lost server record causes empties keys again mid-replay. Regressions after the first loss are
 * counted and printed, not violations.
 */
final class Dashboard implements AutoCloseable {

    private final Api api;
    private final List<String> paths = new ArrayList<>();
    private final List<UUID> appendTargets;
    private final Random random;
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicInteger> accepted = new ConcurrentHashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> afterCacheLoss = new CopyOnWriteArrayList<>();
    private volatile boolean cacheLost;
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    Dashboard(Api api, List<UUID> agents, List<UUID> prds, List<UUID> appendTargets, long seed) {
        this.api = api;
        agents.forEach(id -> paths.add("/api/v1/agents/" + id));
        prds.forEach(id -> paths.add("/api/v1/prds/" + id));
        this.appendTargets = appendTargets;
        this.random = new Random(seed);
        thread = new Thread(this::run, "it-dashboard");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            // about 50 requests a second: a busy dashboard, not a load test on a 2-core machine
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            try {
                if (random.nextInt(20) == 0) {
                    append(appendTargets.get(random.nextInt(appendTargets.size())));
                } else {
                    // the first few hundred entities, so the same ones are read again while they change
                    read(paths.get(random.nextInt(Math.min(paths.size(), 400))));
                }
            } catch (RuntimeException | AssertionError e) {
                violations.add("request failed: " + e);
            }
        }
    }

    private void read(String path) {
        Api.Response r = api.get(path);
        reads.incrementAndGet();
        if (r.status() >= 500) {
            violations.add("GET " + path + " answered " + r);
        } else if (r.status() == 200 || r.status() == 410) {
            long version = r.json().get("version").asLong();
            Long before = lastSeen.put(path, Math.max(version, lastSeen.getOrDefault(path, version)));
            if (before != null && before > version) {
                (cacheLost ? afterCacheLoss : violations).add("GET " + path + " answered v" + version + " after v"
                        + before);
            }
        }
    }

    /**
     * One append under an Idempotency-Key; every other one is sent again under the same key, as a client
     * that lost the answer retries: it must take effect once.
     */
    private void append(UUID agent) {
        String path = "/api/v1/agents/" + agent + "/history";
        String body = "{\"kind\":\"learning\",\"entry\":{\"from\":\"dashboard\"}}";
        String key = "dashboard-" + UUID.randomUUID();
        Api.Response r = api.post(path, body, "Idempotency-Key", key);
        if (r.status() != 202) {
            violations.add("history append to " + agent + " answered " + r);
            return;
        }
        accepted.computeIfAbsent(agent, a -> new AtomicInteger()).incrementAndGet();
        if (random.nextBoolean()) {
            Api.Response retry = api.post(path, body, "Idempotency-Key", key);
            retries.incrementAndGet();
            // 422 idempotency-key-expired is the documented refusal when the fingerprint went with a cache loss
            // in between (the write is not published again): refused, not applied twice
            boolean fingerprintLost = retry.status() == 422 && retry.body().contains("idempotency-key-expired");
            if (retry.status() / 100 != 2 && !fingerprintLost) {
                violations.add("the retry of " + key + " answered " + retry);
            }
        }
    }

    /** The cache was lost: from now on an older version after a newer one is not a violation (see the class). */
    void cacheLost() {
        cacheLost = true;
    }

    /** Counts the appends the gateway accepted into the model of the agents they went to, once each. */
    void addAcceptedAppendsTo(Workload model) {
        accepted.forEach((agent, n) -> {
            for (int i = 0; i < n.get(); i++) {
                model.historyAppendedElsewhere(agent);
            }
        });
        System.out.printf("dashboard: %d reads, %d history entries appended through the gateway (%d of them retried "
                + "under their Idempotency-Key), %d violations, %d older versions read after a cache loss %s%n",
                reads.get(), accepted.values().stream().mapToInt(AtomicInteger::get).sum(), retries.get(),
                violations.size(), afterCacheLoss.size(), afterCacheLoss);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
