package dev.agentfactory.worker.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.PostgresCluster;
import dev.agentfactory.stack.StackEndpoints;

/**
 * One test's isolated world on a (shared or private) stack: its own migrated database, its own topics
 * and consumer group, the worker properties pointing at them, and SQL access for the assertions.
 */
final class TestBed {

    static final int PARTITIONS = 6;

    final String name;
    final StackEndpoints endpoints;
    final String db;
    final String agentTopic;
    final String prdTopic;
    final String resultsTopic;
    final String dlqTopic;
    final String group;

    TestBed(String name, StackEndpoints endpoints, PostgresCluster primary) {
        this.name = name;
        this.endpoints = endpoints;
        String suffix = name + "-" + Long.toString(System.currentTimeMillis(), 36);
        this.db = "it_worker_" + suffix.replace('-', '_');
        this.agentTopic = "it-worker.agent-writes." + suffix;
        this.prdTopic = "it-worker.prd-writes." + suffix;
        this.resultsTopic = "it-worker.results." + suffix;
        this.dlqTopic = "it-worker.dlq." + suffix;
        this.group = "it-worker-" + suffix;
        primary.createDatabase(db);
        migrate(endpoints.primaryJdbcUrl(db));
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(agentTopic, PARTITIONS, (short) 1),
                    new NewTopic(prdTopic, PARTITIONS, (short) 1), new NewTopic(resultsTopic, PARTITIONS, (short) 1),
                    new NewTopic(dlqTopic, 1, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create the test topics", e);
        }
    }

    /**
     * Runs the real migrations CLI ({@code migrations.jar migrate}, as {@code bin/db} does). The module's
     * jar is a Spring Boot executable jar, so its classes are not usable on this test class path.
     */
    static void migrate(String url) {
        java.nio.file.Path jar = java.nio.file.Path.of("..", "migrations", "target", "migrations.jar").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar.toString(), "migrate").redirectErrorStream(true);
        pb.environment().put("FACTORY_DB_URL", url);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("migrations failed on " + url + ":\n" + out);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run " + jar, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()));
    }

    Map<String, String> workerProperties() {
        Map<String, String> p = new HashMap<>();
        p.put("spring.datasource.url", endpoints.primaryJdbcUrl(db));
        p.put("spring.kafka.bootstrap-servers", endpoints.kafkaBootstrap());
        p.put("factory.ingest.agent-topic", agentTopic);
        p.put("factory.ingest.prd-topic", prdTopic);
        p.put("factory.ingest.results-topic", resultsTopic);
        p.put("factory.ingest.dlq-topic", dlqTopic);
        p.put("factory.ingest.group-id", group);
        p.put("factory.ingest.retry-max", "2s");
        p.put("spring.kafka.consumer.properties.session.timeout.ms", "6000");
        p.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "2000");
        return p;
    }

    WriteProducer producer() {
        return new WriteProducer(endpoints.kafkaBootstrap(), Map.of("delivery.timeout.ms", 300_000), agentTopic,
                prdTopic);
    }

    Connection sql() throws SQLException {
        return DriverManager.getConnection(endpoints.primaryJdbcUrl(db), endpoints.superuser(),
                endpoints.superuserPassword());
    }

    long count(String sql) {
        try (Connection c = sql(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** The log-end offsets of the write topics, once everything is produced. */
    Map<TopicPartition, Long> endOffsets() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new java.util.ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                tps.add(new TopicPartition(agentTopic, i));
                tps.add(new TopicPartition(prdTopic, i));
            }
            return c.endOffsets(tps, Duration.ofSeconds(30));
        }
    }

    /** Waits until the offsets committed in the database reach the log end of every partition. */
    void awaitCaughtUp(Duration timeout) {
        long end = endOffsets().values().stream().mapToLong(Long::longValue).sum();
        Poll.until(timeout, "the worker to commit all " + end + " records of " + name, () -> count(
                "SELECT coalesce(sum(next_offset), 0) FROM factory.ingest_offsets WHERE consumer_group = '" + group
                        + "'") == end);
    }
}
