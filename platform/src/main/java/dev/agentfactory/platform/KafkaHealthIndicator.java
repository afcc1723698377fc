package dev.agentfactory.platform;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports whether the Kafka cluster answers, with its id and broker count. Boot ships no Kafka
 * health indicator; all three apps depend on the broker, so their health must say when it is gone.
 * <p>
 * Its admin client does not rebootstrap by itself (PlatformAutoConfiguration says why); instead, once the check
 * has failed for {@link #REBOOTSTRAP_AFTER}, the next failing check replaces the client with a new one, which
 * starts over from the bootstrap servers: a cluster whose brokers all moved (new names behind the same bootstrap
 * address) is found again, once per that period and not in a loop.
 */
public class KafkaHealthIndicator extends AbstractHealthIndicator implements DisposableBean {

    /** Kafka's own {@code metadata.recovery.rebootstrap.trigger.ms} default. */
    static final Duration REBOOTSTRAP_AFTER = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(KafkaHealthIndicator.class);

    private final Supplier<Admin> admins;
    private final Duration timeout;
    private final Duration rebootstrapAfter;
    private final LongSupplier nanoTime;

    private Admin admin;
    /** When the checks started failing ({@link #nanoTime}), valid while {@link #failing}. */
    private long failingSince;
    private boolean failing;

    public KafkaHealthIndicator(Supplier<Admin> admins, Duration timeout) {
        this(admins, timeout, REBOOTSTRAP_AFTER, System::nanoTime);
    }

    KafkaHealthIndicator(Supplier<Admin> admins, Duration timeout, Duration rebootstrapAfter, LongSupplier nanoTime) {
        super("Kafka health check failed");
        this.admins = admins;
        this.timeout = timeout;
        this.rebootstrapAfter = rebootstrapAfter;
        this.nanoTime = nanoTime;
        this.admin = admins.get();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        Admin current = current();
        boolean up = false;
        try {
            DescribeClusterResult cluster = current.describeCluster(
                    new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
            String clusterId = cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            up = brokers > 0;
            builder.status(up ? "UP" : "DOWN")
                    .withDetail("clusterId", clusterId)
                    .withDetail("brokers", brokers);
        } finally {
            checked(current, up);
        }
    }

    private synchronized Admin current() {
        return admin;
    }

    /** Notes the outcome of a check made with {@code used}; a failure that has lasted long enough replaces it. */
    private void checked(Admin used, boolean up) {
        Admin replaced = null;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (up) {
                failing = false;
            } else if (!failing) {
                failing = true;
                failingSince = now;
            } else if (used == admin && now - failingSince >= rebootstrapAfter.toNanos()) {
                log.info("Kafka has not answered the health check for {} s: its admin client starts over from the"
                        + " bootstrap servers", Duration.ofNanos(now - failingSince).toSeconds());
                replaced = admin;
                admin = admins.get();
                failingSince = now;
            }
        }
        if (replaced != null) {
            replaced.close(Duration.ZERO);
        }
    }

    @Override
    public void destroy() {
        current().close(Duration.ofSeconds(2));
    }
}
