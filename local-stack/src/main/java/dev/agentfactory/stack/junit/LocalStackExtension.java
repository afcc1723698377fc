package dev.agentfactory.stack.junit;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * JUnit 5 extension that makes sure the local stack runs before a test class, starting it once
 * (detached, reused by every later test JVM of the build) and injecting {@link StackEndpoints} and
 * {@link LocalStack} parameters. The databases the run's tests create on the shared clusters are dropped
 * once the whole run is over (not after each class: Spring caches application contexts, and their pools,
 * across classes), so repeated runs on a developer's stack do not pile them up. Set the system property
 * {@value #KEEP_DATABASES} to {@code true} to keep them for a look after a failure.
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {

    /** System property: keep the databases the tests created instead of dropping them after the run. */
    public static final String KEEP_DATABASES = "factory.it.keep-databases";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);
    private static volatile StackEndpoints endpoints;
    private static final LocalStack STACK = LocalStack.fromEnvironment();

    @Override
    public void beforeAll(ExtensionContext context) {
        ensure();
        if (!Boolean.getBoolean(KEEP_DATABASES)) {
            // The root context's store is closed when the whole run ends; JUnit closes AutoCloseable values.
            context.getRoot().getStore(NAMESPACE).computeIfAbsent(CreatedDatabases.class, k -> new CreatedDatabases(),
                    CreatedDatabases.class);
        }
    }

    /** The running stack's endpoints, starting it if needed. */
    public static synchronized StackEndpoints ensure() {
        if (endpoints == null || !STACK.allUp()) {
            endpoints = STACK.ensureRunning();
        }
        return endpoints;
    }

    public static LocalStack stack() {
        ensure();
        return STACK;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> type = p.getParameter().getType();
        return type == StackEndpoints.class || type == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == LocalStack.class ? stack() : ensure();
    }

    /** Drops, when the run ends, what the tests created on the shared clusters; reports what it had to keep. */
    private static final class CreatedDatabases implements AutoCloseable {
        @Override
        public void close() {
            List<String> kept = new ArrayList<>(STACK.primary().dropCreated());
            kept.addAll(STACK.standby().dropCreated());
            kept.forEach(k -> System.err.println("[local-stack] kept a test database: " + k));
        }
    }
}
