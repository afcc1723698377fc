package dev.agentfactory.relay;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged relay ({@code cdc-relay/target/cdc-relay.jar}) as a child process, so a test can SIGKILL it.
 * Shared with the ops drills through this module's test jar.
 */
public final class RelayProcess {

    private final Process process;
    public final Path log;

    private RelayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static RelayProcess start(String name, Map<String, String> properties) throws Exception {
        // factory.root is the checkout (set by the build), so the jar is found from any module's tests
        Path jar = Path.of(System.getProperty("factory.root", ".."), "cdc-relay", "target", "cdc-relay.jar");
        if (!jar.toFile().isFile()) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the package phase first");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        Path log = Path.of("target", "relay-" + name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString()))).start();
        return new RelayProcess(p, log);
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no offset flush, sockets closed by the kernel. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: Spring's graceful shutdown. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
