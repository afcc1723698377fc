package dev.agentfactory.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The stack process's control channel: one line in, one line out, on a loopback port. Binding the
 * port is also the lock that keeps a second stack process from starting.
 */
final class StackControl {

    private StackControl() {
    }

    /** Sends a command to the running stack process; returns its answer, or "DOWN" when none listens. */
    static String send(StackSettings settings, String command) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", settings.controlPort()), 500);
            s.setSoTimeout(120_000);
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println(command);
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return line == null ? "DOWN" : line;
        } catch (IOException e) {
            return "DOWN";
        }
    }

    /**
     * The data directory of the stack process answering on the control port, or null when none answers or it
     * cannot say (one started by an earlier build of this module, which knows no {@code root} command).
     *
     * @throws StackException when what answers is no stack process (its answer is no absolute path)
     */
    static Path root(StackSettings settings) {
        String answer = send(settings, "root");
        if ("DOWN".equals(answer) || answer.startsWith("ERROR unknown command")) {
            return null;
        }
        if (!answer.startsWith("/")) {
            throw new StackException("what listens on 127.0.0.1:" + settings.controlPort() + ", the local stack's "
                    + "control port, is no stack process (it answered '" + answer + "'); free the port, or give this "
                    + "checkout other ports (FACTORY_STACK_KAFKA_PORT or FACTORY_STACK_CONTROL_PORT)");
        }
        return Path.of(answer);
    }

    /** Runs the stack in this process until it is told to stop; returns when it has stopped. */
    static void serve(LocalStack stack) throws IOException, InterruptedException {
        StackSettings settings = stack.settings();
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.controlPort()));
        } catch (IOException e) {
            throw new StackException("another stack process holds 127.0.0.1:" + settings.controlPort()
                    + "; use it, or stop it with bin/stack down");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stack.stopAll();
            stopped.countDown();
        }, "stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        started = false;
        Thread acceptor = new Thread(() -> accept(server, stack), "stack-control");
        acceptor.setDaemon(true);
        acceptor.start();
        long t0 = System.nanoTime();
        stack.startAll();
        started = true;
        System.out.printf("local stack ready in %.1f s%n%s%n", (System.nanoTime() - t0) / 1e9, stack.status());
        stopped.await();
        server.close();
    }

    /** Start-up is over: from then on {@code status} answers from the services' ports (StackHealth). */
    private static volatile boolean started;

    private static void accept(ServerSocket server, LocalStack stack) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                String command = in.readLine();
                switch (command == null ? "" : command.trim()) {
                    case "status" -> out.println(StackHealth.answer(stack, started));
                    case "heal" -> out.println(StackHealth.heal(stack, started));
                    case "pid" -> out.println(ProcessHandle.current().pid());
                    case "root" -> out.println(stack.settings().root());
                    case "restart-kafka" -> {
                        stack.restartKafka();
                        out.println("OK");
                    }
                    case "stop" -> {
                        out.println("OK");
                        s.close();
                        // exit runs the shutdown hook, which stops every service
                        new Thread(() -> System.exit(0), "stack-exit").start();
                        return;
                    }
                    default -> out.println("ERROR unknown command '" + command + "'");
                }
            } catch (IOException | RuntimeException e) {
                if (!server.isClosed()) {
                    System.err.println("control: " + e.getMessage());
                }
            }
        }
    }

    /** Starts the stack in a detached process (its own session) and waits until it is ready. */
    static void spawnDetached(StackSettings settings, Duration timeout) {
        Path log = log(settings);
        try {
            Files.createDirectories(settings.root());
            List<String> cmd = new ArrayList<>(List.of("setsid", javaBinary()));
            System.getProperties().forEach((k, v) -> {
                if (k.toString().startsWith("factory.")) {
                    cmd.add("-D" + k + "=" + v);
                }
            });
            cmd.addAll(List.of("-Xmx1g", "-cp", classPath(), StackMain.class.getName(), "up", "--foreground"));
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new StackException("cannot start the stack process: " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // Another checkout's stack process may have taken the control port meanwhile (ours then exits): what it
            // answers is not ours to wait for. A fresh one answers STARTING for seconds, so it is seen before READY.
            StackOwner.require(settings);
            if (StackHealth.READY.equals(send(settings, "status"))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new StackException("the local stack did not become ready in " + timeout.toSeconds()
                        + " s; see " + log + "\n" + tail(log));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for the stack", e);
            }
        }
    }

    /** The detached stack process's output. */
    static Path log(StackSettings settings) {
        return settings.root().resolve("stack.log");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The class path of the stack process. Surefire and Failsafe hide the real one behind a manifest jar and
     * publish it in a property; a Spring Boot executable jar (bin/bench) nests its libraries where a plain
     * {@code -cp} cannot see them, so the checkout's own {@code local-stack.jar} (with {@code lib/}) is used.
     */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        if (surefire != null && !surefire.isBlank()) {
            return surefire;
        }
        Path ownJar = StackSettings.projectRoot(System.getenv()).resolve("local-stack/target/local-stack.jar");
        return Files.isRegularFile(ownJar) ? ownJar.toString() : System.getProperty("java.class.path");
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
