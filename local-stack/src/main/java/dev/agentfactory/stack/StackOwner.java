package dev.agentfactory.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whose stack answers on the control port. Two checkouts on the default ports share one control port, and the
 * second used to adopt the first one's stack process: its tests ran against the other checkout's databases and
 * migrations, its {@code bin/stack down} stopped the other's stack under the other's running build, and its broker
 * failure tests restarted the other's Kafka. A stack process now says where it keeps its data ({@code root}), and a
 * stack of another data directory is refused, never used, stopped or restarted.
 */
final class StackOwner {

    private StackOwner() {
    }

    /** Fails, naming both directories and the ways out, when the stack process on the control port is not this one's. */
    static void require(StackSettings settings) {
        Path other = foreign(settings);
        if (other != null) {
            throw new StackException("the local stack answering on 127.0.0.1:" + settings.controlPort() + " (process "
                    + StackControl.send(settings, "pid") + ") keeps its data in " + other + ", not in "
                    + settings.root() + " as this one would: another checkout's stack, or one given another"
                    + " FACTORY_STACK_DIR, on the same ports. Stop it from its checkout (bin/stack down), or here with"
                    + " FACTORY_STACK_DIR=" + other + " bin/stack down; or give this checkout ports and a data directory"
                    + " of its own (FACTORY_STACK_KAFKA_PORT, FACTORY_STACK_PRIMARY_PORT, FACTORY_STACK_STANDBY_PORT,"
                    + " FACTORY_STACK_REDIS_PORT, FACTORY_STACK_DIR; README, \"The local stack\")");
        }
    }

    /**
     * The data directory of the stack process on the control port when it is not this stack's, else null (none
     * answers, it is this stack's, or it was started by an earlier build that cannot say).
     */
    static Path foreign(StackSettings settings) {
        Path answered = StackControl.root(settings);
        return answered == null || sameDirectory(answered, settings.root()) ? null : answered;
    }

    /** Equal paths, or two names of one directory (a symbolic link on the way to either). */
    static boolean sameDirectory(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
