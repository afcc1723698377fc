package dev.agentfactory.gateway.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.agentfactory.stack.junit.FreePorts;
import dev.agentfactory.stack.junit.Poll;

/**
 * A packaged app of this build (the worker, the relay) as a child process with its properties as
 * arguments; its log goes to {@code target/it-logs/} (appended across restarts). The pipeline crash test
 * SIGKILLs it and starts it again with the same properties, as an orchestrator replaces a crashed instance.
 */
final class AppProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final int port = FreePorts.take();
    private Process process;
    private Map<String, String> properties;

    AppProcess(String name, Path jar) {
        this.name = name;
        this.jar = jar.toAbsolutePath().normalize();
    }

    static Path moduleJar(String module) {
        return Path.of("..", module, "target", module + ".jar");
    }

    boolean available() {
        return Files.isRegularFile(jar);
    }

    AppProcess start(Map<String, String> properties) throws IOException {
        if (!available()) {
            throw new IllegalStateException(jar + " is missing: run the ITs with `./mvnw -pl api-gateway -am verify`");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "--server.port=" + port));
        properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        this.properties = Map.copyOf(properties);
        Path logs = Files.createDirectories(Path.of("target", "it-logs"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile())).start();
        return this;
    }

    AppProcess awaitHealthy(Duration timeout) {
        Poll.until(timeout, name + " healthy", () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see target/it-logs/"
                        + name + ".log");
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return this;
    }

    /** SIGKILL: no shutdown hook, no graceful stop, no offset commit; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** A new process with the properties of the last start (the same port: the old one is gone). */
    AppProcess restart() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        return start(properties);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
