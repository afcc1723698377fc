package dev.agentfactory.stack.junit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * JUnit 5 extension that makes sure the local stack runs before a test class, starting it once
 * (detached, reused by every later test JVM of the build) and injecting {@link StackEndpoints} and
 * {@link LocalStack} parameters.
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {

    private static volatile StackEndpoints endpoints;
    private static final LocalStack STACK = LocalStack.fromEnvironment();

    @Override
    public void beforeAll(ExtensionContext context) {
        ensure();
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
}
