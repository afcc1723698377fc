package dev.agentfactory.bench.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * The packaged gateway ({@code api-gateway/target/api-gateway.jar}) as a child process on a free port.
 * {@code -Dbench.gateway.jvm-args="..."} adds JVM options (space-separated), e.g. a profiler's agent.
 */
final class GatewayUnderTest implements AutoCloseable {

    // [12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 61M->9M(512M) 2.345ms
    private static final Pattern PAUSE = Pattern.compile("^\\[([0-9.]+)s\\].*\\bPause\\b.* ([0-9.]+)ms$");

    private final Process process;
    final int port;
    final Path log;
    private final Path gcLog;

    GatewayUnderTest(Path root, Map<String, String> properties) throws IOException {
        Path jar = root.resolve("api-gateway/target/api-gateway.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -DskipTests package");
        }
        // Below the ephemeral range: the gateway opens its pool, Kafka and Redis connections before Tomcat binds.
        port = FreePorts.take();
        Path dir = Files.createDirectories(root.resolve("bench/target/bench"));
        log = dir.resolve("gateway-app.log");
        gcLog = dir.resolve("gateway-gc.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Xlog:gc:file=" + gcLog + ":uptime"));
        String extra = System.getProperty("bench.gateway.jvm-args", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString(), "--server.port=" + port));
        properties.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    void awaitHealthy(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the gateway was not healthy within " + timeout + "; see " + log);
    }

    /** Seconds since the gateway process started: marks where a measured phase begins in its GC log. */
    double uptimeSeconds() {
        return process.info().startInstant().map(t -> Duration.between(t, Instant.now()).toMillis() / 1000.0)
                .orElse(0.0);
    }

    /** CPU time the gateway process has used so far (all its threads, GC and JIT included), in milliseconds. */
    double cpuMillis() {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
    }

    /** The gateway's stop-the-world GC pauses since {@code fromUptime}: how many, the longest, their sum (ms). */
    double[] gcPausesSince(double fromUptime) throws IOException {
        return gcPauses(fromUptime, Double.POSITIVE_INFINITY);
    }

    /** As {@link #gcPausesSince}, of the pauses that began between the two uptimes (seconds). */
    double[] gcPauses(double fromUptime, double toUptime) throws IOException {
        double[] countMaxSum = new double[3];
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = PAUSE.matcher(line);
            double at = m.matches() ? Double.parseDouble(m.group(1)) : -1;
            if (at >= fromUptime && at < toUptime) {
                double ms = Double.parseDouble(m.group(2));
                countMaxSum[0]++;
                countMaxSum[1] = Math.max(countMaxSum[1], ms);
                countMaxSum[2] += ms;
            }
        }
        return countMaxSum;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
