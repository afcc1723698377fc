package dev.agentfactory.ops;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.agentfactory.stack.junit.Poll;

/**
 * The packaged CLI ({@code ops/target/ops-exec.jar}, what bin/ops runs) as a child process, for what only a process
 * shows: its shutdown hooks on SIGTERM, or nothing at all on SIGKILL. Its stdout and stderr are read as they come.
 */
public final class OpsProcess implements AutoCloseable {

    private final Process process;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader = new Thread(this::read, "ops-process-output");

    private OpsProcess(Process process) {
        this.process = process;
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code bin/ops args} with {@code env} as its only FACTORY_* variables. */
    public static OpsProcess start(List<String> args, Map<String, String> env) throws Exception {
        // factory.root is the checkout (set by the build); the package phase runs before the ITs
        Path jar = Path.of(System.getProperty("factory.root", ".."), "ops", "target", "ops-exec.jar");
        if (!jar.toFile().isFile()) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the package phase first");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("FACTORY_"));
        pb.environment().putAll(env);
        return new OpsProcess(pb.start());
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("[ops] " + line);
                synchronized (output) {
                    output.append(line).append('\n');
                }
            }
        } catch (Exception e) {
            // the process is gone
        }
    }

    /** What it printed so far, stdout and stderr interleaved. */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Waits until it printed {@code text}; fails at once if it exits first. */
    public void awaitOutput(String text, Duration timeout) {
        Poll.until(timeout, "ops printing '" + text + "'", () -> {
            if (output().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("ops exited (" + process.exitValue() + ") before printing '" + text
                        + "':\n" + output());
            }
            return false;
        });
    }

    /** Its exit code, once it ends on its own within {@code timeout}. */
    public int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("ops still running after " + timeout + ":\n" + output());
        }
        reader.join(5_000); // its last lines
        return process.exitValue();
    }

    /** SIGTERM (what Ctrl-C or a closed terminal amount to for the JVM); returns once it exited. */
    public void terminate() throws InterruptedException {
        // Process.destroy() sends the same SIGTERM but also closes this side's pipes, losing what the hooks print
        process.toHandle().destroy();
        exitCode(Duration.ofSeconds(60));
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        reader.join(5_000);
    }

    /** Kills it if a failed test left it running (a failover waiting out a long --timeout). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
