package dev.agentfactory.worker.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackSettings;
import dev.agentfactory.stack.junit.FreePorts;
import dev.agentfactory.stack.junit.Poll;

/**
 * A stack of this test class alone (free ports, data under {@code target/}), for tests that crash
 * PostgreSQL or restart the broker: the shared stack must never be disturbed. Started as its own
 * process, like the shared one, and stopped and wiped afterwards.
 */
final class PrivateStack {

    private PrivateStack() {
    }

    static LocalStack start(String name) throws IOException {
        Path root = Path.of("target", "private-stack-" + name).toAbsolutePath();
        StackSettings shared = LocalStack.fromEnvironment().settings();
        StackSettings s = new StackSettings(root, FreePorts.take(), FreePorts.take(), FreePorts.take(),
                FreePorts.take(), FreePorts.take(), FreePorts.take(), shared.database(), shared.superuser(),
                shared.superuserPassword(), shared.pgOsUser());
        Files.createDirectories(root);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of("setsid", Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx768m",
                "-Dfactory.stack.dir=" + root, "-Dfactory.stack.kafka-port=" + s.kafkaPort(),
                "-Dfactory.stack.kafka-controller-port=" + s.kafkaControllerPort(),
                "-Dfactory.stack.primary-port=" + s.primaryPort(), "-Dfactory.stack.standby-port=" + s.standbyPort(),
                "-Dfactory.stack.redis-port=" + s.redisPort(), "-Dfactory.stack.control-port=" + s.controlPort(),
                "-cp", cp, "dev.agentfactory.stack.StackMain", "up", "--foreground"));
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolve("stack.log").toFile()).start();
        LocalStack stack = new LocalStack(s);
        Poll.until(Duration.ofSeconds(180), "the private stack in " + root, stack::allUp);
        return stack;
    }

    static void stop(LocalStack stack) {
        stack.stop();
        stack.wipe();
    }
}
