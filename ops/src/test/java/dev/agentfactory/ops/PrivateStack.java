package dev.agentfactory.ops;

import java.io.IOException;
import java.nio.file.Path;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.PrivateStacks;

/** A local stack of this suite's own (free ports, data under target/), because the drill destroys its primary. */
final class PrivateStack {

    final LocalStack stack;
    final StackEndpoints endpoints;

    private PrivateStack(LocalStack stack) {
        this.stack = stack;
        this.endpoints = stack.endpoints();
    }

    static PrivateStack start(Path root) throws IOException {
        return new PrivateStack(PrivateStacks.start(root));
    }

    void stop() {
        PrivateStacks.stop(stack);
    }
}
