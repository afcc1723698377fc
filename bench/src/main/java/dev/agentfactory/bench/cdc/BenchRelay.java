package dev.agentfactory.bench.cdc;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.agentfactory.stack.StackEndpoints;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;

/**
 * The packaged relay and the migrations CLI as child processes, as they run in production: the benchmark
 * measures the shipped jar with its own database, slot, topics and Redis prefix.
 */
final class BenchRelay {

    private final Path root;
    private final String db;
    private final String prefix;
    private final String topic;

    BenchRelay(Path root, String db, String prefix, String topic) {
        this.root = root;
        this.db = db;
        this.prefix = prefix;
        this.topic = topic;
    }

    Process start(StackEndpoints e) throws Exception {
        Path jar = root.resolve("cdc-relay/target/cdc-relay.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        String extra = System.getenv("FACTORY_BENCH_RELAY_JAVA_OPTS"); // e.g. a JFR recording
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", e.primaryJdbcUrl(db));
        p.put("spring.kafka.bootstrap-servers", e.kafkaBootstrap());
        p.put("spring.data.redis.url", e.redisUrl());
        p.put("server.port", "0");
        p.put("factory.cdc.name", prefix);
        p.put("factory.cdc.slot-name", db);
        p.put("factory.cdc.topic-prefix", db);
        p.put("factory.cdc.agents-audit-topic", topic);
        p.put("factory.cdc.prds-audit-topic", topic.replace("agents", "prds"));
        p.put("factory.cdc.redis-prefix", prefix);
        p.put("factory.cdc.lock-key", Long.toString(Math.abs((long) db.hashCode()) + 1_000_000L));
        p.put("factory.cdc.standby.url", e.standbyJdbcUrl(db));
        p.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        Path log = root.resolve("bench/target/bench-cdc-relay.log");
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File(log.toString()))).start();
    }

    static void migrate(Path root, String url) {
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
    }
}
