package dev.agentfactory.worker.it;

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
 * The packaged worker ({@code target/ingest-worker.jar}) as a child process, so a test can SIGKILL it
 * like an orchestrator would, and restart it. Its log goes to {@code target/it-logs/}.
 */
final class WorkerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Map<String, String> properties;
    private final int port;
    private Process process;
    private int starts;

    WorkerProcess(String name, Map<String, String> properties) {
        this.name = name;
        this.properties = properties;
        this.port = FreePorts.take();
    }

    WorkerProcess start() {
        Path jar = Path.of("target", "ingest-worker.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the ITs with 'verify' (after 'package')");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC",
                "-jar", jar.toString(), "--server.port=" + port));
        properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        try {
            Path logs = Files.createDirectories(Path.of("target", "it-logs"));
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the worker: " + e.getMessage(), e);
        }
        starts++;
        return this;
    }

    /** Waits until /actuator/health answers 200 (database and broker reachable). */
    WorkerProcess awaitHealthy(Duration timeout) {
        Poll.until(timeout, "worker " + name + " healthy", () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker " + name + " exited with " + process.exitValue()
                        + "; see target/it-logs/" + name + ".log");
            }
            return get("/actuator/health").statusCode() == 200;
        });
        return this;
    }

    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new FailedResponse(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no graceful stop, no offset commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the graceful stop that finishes the batch in flight. */
    int stop() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    int starts() {
        return starts;
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            kill();
        }
    }

    private record FailedResponse(IOException error) implements HttpResponse<String> {
        public int statusCode() {
            return 0;
        }

        public HttpRequest request() {
            return null;
        }

        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        public String body() {
            return error.toString();
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        public URI uri() {
            return null;
        }

        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
