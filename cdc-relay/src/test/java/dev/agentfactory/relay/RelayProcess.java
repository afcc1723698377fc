package dev.agentfactory.relay;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.agentfactory.stack.StackEndpoints;

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

    /**
     * What every test relay is given: its primary database, the stack's broker and Redis, a name of its own for its
     * slot, topic prefix and Redis prefix (dashes become underscores where PostgreSQL or Debezium need them), its
     * audit topics, and heartbeats, offset flushes and restarts quick enough for a test. Callers add or replace the
     * rest (the standby sink's settings, a lock key).
     */
    public static Map<String, String> properties(StackEndpoints e, String primaryUrl, String name, String agentsAuditTopic,
                                                 String prdsAuditTopic) {
        String underscored = name.replace('-', '_');
        Map<String, String> p = new HashMap<>();
        p.put("spring.datasource.url", primaryUrl);
        p.put("spring.kafka.bootstrap-servers", e.kafkaBootstrap());
        p.put("spring.data.redis.url", e.redisUrl());
        p.put("server.port", "0");
        p.put("factory.cdc.name", name);
        p.put("factory.cdc.slot-name", underscored);
        p.put("factory.cdc.topic-prefix", underscored);
        p.put("factory.cdc.agents-audit-topic", agentsAuditTopic);
        p.put("factory.cdc.prds-audit-topic", prdsAuditTopic);
        p.put("factory.cdc.redis-prefix", name);
        p.put("factory.cdc.heartbeat-interval", "1s");
        p.put("factory.cdc.offset-flush-interval", "500ms");
        p.put("factory.cdc.restart-backoff", "1s");
        return p;
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
