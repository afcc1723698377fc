package dev.agentfactory.stack.junit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackSettings;

/**
 * A local stack of one test class alone (free ports, data under a directory of its own), for tests that crash a
 * service: the shared stack must never be disturbed. Started as its own detached stack process, like the shared
 * one; {@link #stop} stops it and deletes its data.
 */
public final class PrivateStacks {

    private PrivateStacks() {
    }

    /** Starts a private stack keeping its data under root, and returns it once it is ready. */
    public static LocalStack start(Path root) throws IOException {
        Map<String, String> props = new HashMap<>(Map.of("dir", root.toAbsolutePath().toString()));
        for (String port : List.of("kafka-port", "kafka-controller-port", "primary-port", "standby-port",
                "redis-port", "control-port")) {
            props.put(port, Integer.toString(FreePorts.take()));
        }
        // The stack process is spawned with the factory.stack.* properties of this JVM; they are set only while it
        // starts, so the shared stack of the other tests in this JVM is not redirected.
        Map<String, String> saved = new HashMap<>();
        props.forEach((k, v) -> saved.put(k, System.setProperty("factory.stack." + k, v)));
        try {
            LocalStack stack = new LocalStack(StackSettings.fromEnvironment());
            stack.ensureRunning();
            return stack;
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty("factory.stack." + k);
                } else {
                    System.setProperty("factory.stack." + k, v);
                }
            });
        }
    }

    /** Stops the private stack and deletes its data. */
    public static void stop(LocalStack stack) {
        stack.stop();
        stack.wipe();
    }
}
