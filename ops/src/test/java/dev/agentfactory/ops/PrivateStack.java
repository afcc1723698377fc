package dev.agentfactory.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackSettings;

/**
 * A local stack of this suite's own (free ports, data under target/), because the drill destroys its primary.
 * The stack process is spawned with the settings as {@code factory.stack.*} properties, which are set only
 * while it starts so the shared stack of other tests in this JVM is not redirected.
 */
final class PrivateStack {

    final LocalStack stack;
    final StackEndpoints endpoints;

    private PrivateStack(LocalStack stack) {
        this.stack = stack;
        this.endpoints = stack.endpoints();
    }

    static PrivateStack start(Path root) throws IOException {
        Map<String, String> props = new HashMap<>();
        props.put("dir", root.toAbsolutePath().toString());
        for (String port : new String[] {"kafka-port", "kafka-controller-port", "primary-port", "standby-port",
                "redis-port", "control-port"}) {
            props.put(port, Integer.toString(freePort()));
        }
        Map<String, String> saved = new HashMap<>();
        props.forEach((k, v) -> {
            saved.put(k, System.getProperty("factory.stack." + k));
            System.setProperty("factory.stack." + k, v);
        });
        try {
            LocalStack stack = new LocalStack(StackSettings.fromEnvironment());
            stack.ensureRunning();
            return new PrivateStack(stack);
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

    void stop() {
        stack.stop();
        stack.wipe();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
