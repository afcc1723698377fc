package dev.agentfactory.bench.gateway;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.store.cache.ReadModelKeys;

/**
 * Agents changing while the list is read: {@code perSecond} times a second one agent is updated in
 * PostgreSQL (a new version, now the newest) and the list epoch is ended as the CDC relay would, so the
 * gateway's cached first page goes stale and is recomputed from the database that often. The relay's own
 * delay is left out: it changes when a change becomes visible, not what a list read costs. The rate it achieved
 * is {@link #perSecond()}, from its first change (the constructor returns once it is connected); a churn that
 * died (a failed update or Redis call) fails {@link #close()}.
 */
final class ListChurn implements AutoCloseable {

    private static final String TOUCH = """
            UPDATE factory.agents SET version = version + 1, updated_at = clock_timestamp(), updated_by = 'bench-churn'
            WHERE id = ?""";

    private final Thread thread;
    private final CountDownLatch connected = new CountDownLatch(1);
    private volatile long startedAt;
    private volatile long stoppedAt;
    private volatile boolean running = true;
    private volatile int changes;
    private volatile Throwable failure;

    ListChurn(StackEndpoints endpoints, String db, String prefix, List<UUID> agents, int perSecond) {
        String epoch = new ReadModelKeys(prefix).agentListEpoch();
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        thread = new Thread(() -> {
            RedisClient client = RedisClient.create(endpoints.redisUrl());
            try (Connection c = DriverManager.getConnection(endpoints.primaryJdbcUrl(db), endpoints.superuser(),
                    endpoints.superuserPassword());
                 PreparedStatement touch = c.prepareStatement(TOUCH);
                 StatefulRedisConnection<String, String> redis = client.connect()) {
                startedAt = System.nanoTime();
                connected.countDown();
                long next = startedAt;
                for (int i = 0; running; i++) {
                    touch.setObject(1, agents.get(i % agents.size()));
                    touch.executeUpdate();
                    redis.sync().del(epoch);
                    changes = i + 1;
                    next += period;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            } catch (Throwable e) {
                failure = e;
            } finally {
                connected.countDown();
                client.shutdown();
            }
        }, "list-churn");
        thread.setDaemon(true);
        thread.start();
        // Connecting (a Redis client's first connection takes about a second) is not churn: the reads it runs
        // beside start once the changes do.
        try {
            connected.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int changes() {
        return changes;
    }

    /** The changes made per second, from the start until {@link #close()} (or now, while it runs). */
    double perSecond() {
        long end = stoppedAt != 0 ? stoppedAt : System.nanoTime();
        return startedAt == 0 ? 0 : changes / ((end - startedAt) / 1e9);
    }

    /** Stops the churn; throws when it died before, since the reads it ran beside did not see the changes claimed. */
    @Override
    public void close() throws InterruptedException {
        stoppedAt = System.nanoTime();
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(10));
        if (failure != null) {
            throw new IllegalStateException("the list churn died after " + changes + " changes", failure);
        }
    }
}
