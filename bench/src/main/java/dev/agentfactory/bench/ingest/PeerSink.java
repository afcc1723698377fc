package dev.agentfactory.bench.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The peer: the Debezium JDBC sink connector (3.6.0.Final) in Kafka Connect standalone, in its own JVM
 * with the class path of the {@code bench-peer} module, draining flat JSON-with-schema records of the
 * same rows into a plain table with {@code insert.mode=upsert} and 2 tasks.
 */
final class PeerSink {

    private static final String SCHEMA = "{\"type\":\"struct\",\"name\":\"agent\",\"optional\":false,\"fields\":["
            + "{\"field\":\"id\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"slug\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"name\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"kind\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"status\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"config\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"version\",\"type\":\"int64\",\"optional\":false}]}";

    private PeerSink() {
    }

    /**
     * Sends the rows to {@code topic}, keyed by id; returns the last row sent to each partition, what the peer's
     * table holds once it has applied the partition (the producer completes a partition's sends in order).
     */
    static List<Workload.Row> fill(String bootstrap, String topic, List<Workload.Row> rows) {
        Map<Integer, Workload.Row> last = new ConcurrentHashMap<>();
        AtomicReference<Exception> failed = new AtomicReference<>();
        // One request in flight: this untimed fill once stayed 600 s on OUT_OF_ORDER_SEQUENCE_NUMBER after a
        // NOT_LEADER_OR_FOLLOWER on a topic just created, with later batches of the partition already sent.
        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new StringSerializer(), new StringSerializer())) {
            for (Workload.Row r : rows) {
                String payload = "{\"id\":\"" + r.id() + "\",\"slug\":\"" + r.slug() + "\",\"name\":\"" + r.name()
                        + "\",\"kind\":\"" + r.kind() + "\",\"status\":\"" + r.status() + "\",\"config\":"
                        + quote(r.configJson()) + ",\"version\":" + r.version() + "}";
                producer.send(new ProducerRecord<>(topic, r.id().toString(),
                        "{\"schema\":" + SCHEMA + ",\"payload\":" + payload + "}"), (sent, e) -> {
                            if (e != null) {
                                failed.compareAndSet(null, e);
                            } else {
                                last.put(sent.partition(), r);
                            }
                        });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("the peer's topic was not filled", failed.get());
        }
        return new ArrayList<>(last.values());
    }

    /** Starts Connect standalone with the sink; the caller polls the table and destroys the process. */
    static Process start(Path root, Path workDir, String bootstrap, String topic, String jdbcUrl, String user,
                         String password, String table) throws IOException {
        Path lib = root.resolve("bench-peer/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: build with ./mvnw -DskipTests package");
        }
        Files.createDirectories(workDir);
        Path worker = workDir.resolve("connect-standalone.properties");
        Files.writeString(worker, String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable=true",
                "offset.storage.file.filename=" + workDir.resolve("connect.offsets"),
                "offset.flush.interval.ms=1000",
                "listeners=http://127.0.0.1:0",
                "plugin.discovery=only_scan",
                ""), StandardCharsets.UTF_8);
        Path connector = workDir.resolve("jdbc-sink.properties");
        Files.writeString(connector, String.join("\n",
                "name=peer-jdbc-sink-" + table,
                "connector.class=io.debezium.connector.jdbc.JdbcSinkConnector",
                "tasks.max=2",
                "topics=" + topic,
                "connection.url=" + jdbcUrl,
                "connection.username=" + user,
                "connection.password=" + password,
                "insert.mode=upsert",
                "delete.enabled=false",
                "primary.key.mode=record_value",
                "primary.key.fields=id",
                "schema.evolution=basic",
                "collection.name.format=" + table,
                "consumer.override.auto.offset.reset=earliest",
                ""), StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx1g", "-cp", lib + "/*", "org.apache.kafka.connect.cli.ConnectStandalone",
                worker.toString(), connector.toString())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("connect.log").toFile()).start();
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(Duration.ofSeconds(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static String quote(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
