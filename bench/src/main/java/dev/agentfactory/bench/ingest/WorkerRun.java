package dev.agentfactory.bench.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The contender: the packaged ingest worker as a child process, on topics and a database of its own (also the
 * worker behind the gateway benchmark's waiting writes).
 */
public final class WorkerRun {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private WorkerRun() {
    }

    static WriteEnvelope envelope(Workload.Row r) {
        ObjectNode config = (ObjectNode) JSON.readTree(r.configJson());
        WriteCommand command;
        if (r.create()) {
            command = new WriteCommand.AgentCreate(r.slug(), r.name(), r.kind(), r.status(), config,
                    JSON.createObjectNode(), JSON.createObjectNode());
        } else {
            ObjectNode patch = JSON.createObjectNode();
            patch.put("name", r.name());
            patch.set("config", config);
            command = new WriteCommand.AgentUpdate(patch);
        }
        return WriteEnvelope.of(r.id(), null, "bench", command);
    }

    static void fill(WriteProducer producer, List<Workload.Row> rows) {
        for (Workload.Row r : rows) {
            producer.send(envelope(r));
        }
        producer.flush();
    }

    public static Process start(Path root, Path workDir, String jdbcUrl, Map<String, String> topics, String group)
            throws IOException {
        Path jar = root.resolve("ingest-worker/target/ingest-worker.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -DskipTests package");
        }
        Files.createDirectories(workDir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The collector of the deployed image (deploy/Dockerfile, target ingest-worker).
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseParallelGC"));
        String extra = System.getenv("FACTORY_BENCH_WORKER_JAVA_OPTS"); // e.g. a JFR recording or other JIT flags
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString(), "--server.port=0", "--spring.datasource.url=" + jdbcUrl,
                "--factory.ingest.group-id=" + group));
        topics.forEach((k, v) -> cmd.add("--factory.ingest." + k + "=" + v));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("worker.log").toFile()).start();
    }

    public static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(Duration.ofSeconds(40).toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }
}
