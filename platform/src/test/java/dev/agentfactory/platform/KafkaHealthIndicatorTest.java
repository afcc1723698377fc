package dev.agentfactory.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.internals.AdminMetadataManager;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * The health indicator's admin client while the broker is away, as the apps build it (Boot's Kafka
 * auto-configuration, then the platform's): the check says DOWN and the client waits quietly for the broker. With
 * Kafka 4's default metadata recovery it rebootstrapped in a loop, hundreds of INFO lines a second for as long as
 * the outage lasted.
 */
class KafkaHealthIndicatorTest {

    static final Duration OUTAGE = Duration.ofSeconds(3);

    @Test
    void aBrokerThatIsAwayIsDownAndItsAdminClientDoesNotSpin() throws Exception {
        // the apps' level (Boot's default); no Spring Boot logging system runs here to set it
        Logger kafkaLog = (Logger) LoggerFactory.getLogger("org.apache.kafka");
        Logger metadata = (Logger) LoggerFactory.getLogger(AdminMetadataManager.class);
        Level kafkaLevel = kafkaLog.getLevel();
        Level level = metadata.getLevel();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        kafkaLog.setLevel(Level.INFO);
        metadata.setLevel(Level.INFO);
        metadata.addAppender(logged);
        try {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
                            PlatformAutoConfiguration.class))
                    .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:" + FreePorts.take())
                    .run(context -> {
                        long start = System.nanoTime();
                        KafkaHealthIndicator kafka = context.getBean("kafkaHealthIndicator",
                                KafkaHealthIndicator.class);
                        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
                        TimeUnit.NANOSECONDS.sleep(Math.max(0, OUTAGE.toNanos() - (System.nanoTime() - start)));

                        long rebootstraps = messages(logged).stream().filter(m -> m.contains("Rebootstrapping"))
                                .count();
                        // hundreds with Kafka's default, metadata.recovery.strategy=rebootstrap
                        assertThat(rebootstraps).as("rebootstrap lines in %s", OUTAGE).isLessThan(20);
                    });
        } finally {
            metadata.detachAppender(logged);
            metadata.setLevel(level);
            kafkaLog.setLevel(kafkaLevel);
        }
    }

    @Test
    void aCheckFailingForTheRebootstrapPeriodStartsOverWithANewClient() throws Exception {
        Admin first = admin(down());
        Admin second = admin(down());
        Admin third = admin(up());
        List<Admin> admins = new ArrayList<>(List.of(first, second, third));
        AtomicLong now = new AtomicLong();
        Duration period = KafkaHealthIndicator.REBOOTSTRAP_AFTER;
        KafkaHealthIndicator kafka = new KafkaHealthIndicator(() -> admins.remove(0), Duration.ofMillis(100),
                period, now::get);

        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
        now.addAndGet(period.minusSeconds(1).toNanos());
        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(admins).as("the same client until the period is over").hasSize(2);
        verify(first, never()).close(any(Duration.class));

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(admins).as("a new client after a period of failed checks").hasSize(1);
        verify(first).close(Duration.ZERO);

        now.addAndGet(period.minusSeconds(1).toNanos());
        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(admins).as("a period counts from the last new client").hasSize(1);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(admins).isEmpty();
        verify(second).close(Duration.ZERO);

        assertThat(kafka.health().getStatus()).isEqualTo(Status.UP);
        kafka.destroy();
        verify(third).close(Duration.ofSeconds(2));
    }

    @Test
    void aCheckThatPassesStartsThePeriodAgain() throws Exception {
        DescribeClusterResult down = down();
        DescribeClusterResult up = up();
        Admin admin = mock(Admin.class);
        when(admin.describeCluster(any(DescribeClusterOptions.class))).thenReturn(down, up, down, down);
        List<Admin> admins = new ArrayList<>(List.of(admin));
        AtomicLong now = new AtomicLong();
        Duration period = KafkaHealthIndicator.REBOOTSTRAP_AFTER;
        KafkaHealthIndicator kafka = new KafkaHealthIndicator(() -> admins.remove(0), Duration.ofMillis(100),
                period, now::get);

        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
        now.addAndGet(period.toNanos());
        assertThat(kafka.health().getStatus()).isEqualTo(Status.UP);
        assertThat(kafka.health().getStatus()).isEqualTo(Status.DOWN);
        now.addAndGet(period.minusSeconds(1).toNanos());
        assertThat(kafka.health().getStatus()).as("failing for less than a period").isEqualTo(Status.DOWN);
        verify(admin, never()).close(any(Duration.class));
    }

    private static Admin admin(DescribeClusterResult result) {
        Admin admin = mock(Admin.class);
        when(admin.describeCluster(any(DescribeClusterOptions.class))).thenReturn(result);
        return admin;
    }

    private static DescribeClusterResult up() {
        DescribeClusterResult result = mock(DescribeClusterResult.class);
        when(result.clusterId()).thenReturn(KafkaFuture.completedFuture("cluster-1"));
        when(result.nodes()).thenReturn(KafkaFuture.completedFuture(List.of(new Node(1, "127.0.0.1", 9092))));
        return result;
    }

    private static DescribeClusterResult down() {
        KafkaFutureImpl<String> failed = new KafkaFutureImpl<>();
        failed.completeExceptionally(new TimeoutException("Timed out waiting for a node assignment."));
        DescribeClusterResult result = mock(DescribeClusterResult.class);
        when(result.clusterId()).thenReturn(failed);
        return result;
    }

    /** A copy of what was logged so far: the admin thread appends under the appender's lock. */
    private static List<String> messages(ListAppender<ILoggingEvent> logged) {
        synchronized (logged) {
            return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

}
