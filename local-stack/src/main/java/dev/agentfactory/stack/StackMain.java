package dev.agentfactory.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code bin/stack up|down|status|running|env}: the local stack from the command line.
 * {@code up} starts a detached stack process and returns once it is ready ({@code --foreground}
 * runs it in this process instead), or has a running one start again whatever service of it is down;
 * {@code down} stops it and leaves no process or port behind.
 */
public final class StackMain {

    private StackMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "status" : argv.get(0);
        LocalStack stack = LocalStack.fromEnvironment();
        int exit;
        try {
            exit = run(stack, command, argv);
        } catch (StackException e) {
            // what went wrong and what to do, said once: a stack trace would bury it
            System.err.println("stack " + command + ": " + e.getMessage());
            exit = 1;
        }
        System.exit(exit);
    }

    private static int run(LocalStack stack, String command, List<String> argv) throws Exception {
        return switch (command) {
            case "up" -> up(stack, argv.contains("--foreground"), argv.contains("--wipe"));
            case "down" -> down(stack, argv.contains("--wipe"));
            case "status" -> {
                // The stack process's own word first (READY, DEGRADED redis,primary, STARTING, or DOWN: none runs)
                String answer = StackControl.send(stack.settings(), "status");
                Path other = StackOwner.foreign(stack.settings());
                System.out.println("stack      " + answer + (other == null ? "" : " (another checkout's: data in " + other
                        + ")") + "\n" + stack.status());
                yield StackHealth.READY.equals(answer) && other == null ? 0 : 3;
            }
            // A stack process answers on the control port (ready or still starting), whatever its services' state:
            // what `up` reuses, so what bin/run must leave running.
            case "running" -> "DOWN".equals(StackControl.send(stack.settings(), "status")) ? 3 : 0;
            case "env" -> {
                StackOwner.require(stack.settings());   // eval "$(bin/stack env)" must not point at another's stack
                StackEndpoints e = stack.endpoints();
                System.out.println("export FACTORY_KAFKA_BOOTSTRAP=" + e.kafkaBootstrap());
                System.out.println("export FACTORY_DB_URL=" + e.primaryJdbcUrl());
                System.out.println("export FACTORY_STANDBY_DB_URL=" + e.standbyJdbcUrl());
                System.out.println("export FACTORY_REDIS_URL=" + e.redisUrl());
                yield 0;
            }
            default -> {
                System.err.println("usage: stack up [--wipe] [--foreground] | down [--wipe] | status | running | env");
                yield 2;
            }
        };
    }

    private static int up(LocalStack stack, boolean foreground, boolean wipe) throws Exception {
        String answer = StackControl.send(stack.settings(), "status");
        if (!"DOWN".equals(answer)) {
            StackOwner.require(stack.settings());   // also one still starting: neither wiped under it nor waited for
            if (wipe) {
                System.err.println("the stack is running (" + answer + "); stop it before wiping (bin/stack down --wipe)");
                return 2;
            }
        }
        if (answer.equals(StackHealth.READY) || answer.startsWith(StackHealth.DEGRADED)) {
            stack.ensureRunning(); // starts again what is down in a degraded one
            System.out.println((answer.equals(StackHealth.READY) ? "local stack already running; reusing it"
                    : "local stack was " + answer + "; started again what was down") + "\n" + stack.status());
            return 0;
        }
        if (wipe) {
            stack.stopAll();
            stack.wipe();
        }
        if (foreground) {
            StackControl.serve(stack);
            return 0;
        }
        long t0 = System.nanoTime();
        StackControl.spawnDetached(stack.settings(), Duration.ofSeconds(120));
        System.out.printf("local stack up in %.1f s%n%s%n", (System.nanoTime() - t0) / 1e9, stack.status());
        return 0;
    }

    private static int down(LocalStack stack, boolean wipe) {
        stack.stop();
        if (wipe) {
            stack.wipe();
        }
        System.out.println("local stack stopped\n" + stack.status());
        return 0;
    }
}
