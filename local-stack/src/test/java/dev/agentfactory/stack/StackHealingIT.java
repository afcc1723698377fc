package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.agentfactory.stack.junit.PrivateStacks;

/**
 * A stack whose Redis or PostgreSQL died says so on its control port and is healed by {@code ensureRunning()}.
 * On a private stack (free ports, data under target/): the shared one must never lose a service.
 */
class StackHealingIT {

    private static final Path ROOT = Path.of("target", "private-stack-healing").toAbsolutePath();
    private static LocalStack stack;

    @BeforeAll
    static void startPrivateStack() throws IOException {
        PostgresCluster.deleteRecursively(ROOT); // what a killed earlier run left
        stack = PrivateStacks.start(ROOT);
    }

    @AfterAll
    static void stopPrivateStack() {
        if (stack != null) {
            PrivateStacks.stop(stack);
        }
        PostgresCluster.deleteRecursively(ROOT);
    }

    @Test
    void killedRedisAndPrimaryAreReportedAndStartedAgain() throws Exception {
        assertThat(status()).isEqualTo("READY");
        kill(stack.settings().dataDir("redis").resolve("redis.pid"), stack.settings().redisPort());
        kill(stack.primary().dataDir().resolve("postmaster.pid"), stack.settings().primaryPort());

        assertThat(status()).isEqualTo("DEGRADED primary,redis");
        String pid = StackControl.send(stack.settings(), "pid");

        stack.ensureRunning();

        assertThat(status()).isEqualTo("READY");
        assertThat(StackControl.send(stack.settings(), "pid")).as("healed, not replaced").isEqualTo(pid);
        assertThat(new RedisServer(null, stack.settings().redisPort()).command("PING")).isEqualTo("PONG");
        try (Connection c = stack.primary().connect(stack.settings().database())) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void aServiceThatDoesNotComeBackFailsNamingItAndTheLog() throws Exception {
        Path conf = stack.standby().dataDir().resolve("postgresql.auto.conf");
        String good = Files.readString(conf);
        kill(stack.standby().dataDir().resolve("postmaster.pid"), stack.settings().standbyPort());
        Files.writeString(conf, good + "shared_buffers = 'not a size'\n"); // PostgreSQL now refuses to start
        try {
            String degraded = status();
            assertThat(degraded).isEqualTo("DEGRADED standby");
            assertThatThrownBy(() -> StackHealth.heal(stack.settings(), degraded, Duration.ofSeconds(3)))
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining("the local stack's standby did not come back")
                    .hasMessageContaining(ROOT.resolve("stack.log").toString());
        } finally {
            Files.writeString(conf, good);
        }
        stack.ensureRunning();
        assertThat(status()).isEqualTo("READY");
    }

    @Test
    void aCheckoutWithOtherDataOnTheSamePortsNeitherUsesNorStopsNorRestartsTheStack() {
        StackSettings mine = stack.settings();
        assertThat(StackControl.root(mine)).as("what the stack process says").isEqualTo(ROOT);
        LocalStack other = new LocalStack(new StackSettings(ROOT.resolveSibling("another-checkout"), mine.kafkaPort(),
                mine.kafkaControllerPort(), mine.primaryPort(), mine.standbyPort(), mine.redisPort(), mine.controlPort(),
                mine.database(), mine.superuser(), mine.superuserPassword(), mine.pgOsUser()));
        String pid = StackControl.send(mine, "pid");

        for (Runnable use : new Runnable[] {other::ensureRunning, other::requestKafkaRestart, other::stop}) {
            assertThatThrownBy(use::run).isInstanceOf(StackException.class)
                    .hasMessageContaining("keeps its data in " + ROOT + ", not in "
                            + ROOT.resolveSibling("another-checkout"));
        }
        assertThat(status()).isEqualTo("READY");
        assertThat(StackControl.send(mine, "pid")).as("the same stack process, still up").isEqualTo(pid);
    }

    private static String status() {
        return StackControl.send(stack.settings(), "status");
    }

    /** SIGKILL, as a crash or the OOM killer would: no clean shutdown, a stale pid file left behind. */
    private static void kill(Path pidFile, int port) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Ports.awaitClosed(port, Duration.ofSeconds(20), "the killed process " + pid);
    }
}
