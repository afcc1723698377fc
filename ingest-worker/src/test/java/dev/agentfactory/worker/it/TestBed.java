package dev.agentfactory.worker.it;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.PostgresCluster;
import dev.agentfactory.stack.StackEndpoints;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.junit.Poll;

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
        try {
            StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agentTopic, PARTITIONS, prdTopic, PARTITIONS,
                    resultsTopic, PARTITIONS, dlqTopic, 1));
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test topics", e);
        }
    }

    static void migrate(String url) {
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
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

    /** {@link #workerProperties()} with some replaced or added, for a test of one setting. */
    Map<String, String> workerProperties(Map<String, String> overrides) {
        Map<String, String> p = workerProperties();
        p.putAll(overrides);
        return p;
    }

    WriteProducer producer() {
        return new WriteProducer(endpoints.kafkaBootstrap(), Map.of("delivery.timeout.ms", 300_000), agentTopic,
                prdTopic);
    }

    /**
     * One record as given (invalid bytes, or to a chosen partition: {@code null} lets the producer choose). A valid
     * write needs its entityId as {@code key}, or it is dead-lettered as {@code wrong_key}.
     */
    void sendRaw(String topic, Integer partition, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            raw.send(new ProducerRecord<>(topic, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    value)).get();
        }
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
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(TopicReader.consumerProperties(endpoints.kafkaBootstrap()))) {
            List<TopicPartition> tps = new java.util.ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                tps.add(new TopicPartition(agentTopic, i));
                tps.add(new TopicPartition(prdTopic, i));
            }
            return c.endOffsets(tps, Duration.ofSeconds(30));
        }
    }

    /** The group's offsets committed in Kafka, as topic-partition -> next offset. */
    Map<String, Long> kafkaCommittedOffsets() throws Exception {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Admin admin = admin()) {
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, om) -> out.put(tp.toString(), om.offset()));
        }
        return out;
    }

    /** The group's offsets stored in the database with the rows, as topic-partition -> next offset. */
    Map<String, Long> storedOffsets() throws SQLException {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Connection c = sql(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT topic, partition, next_offset FROM factory.ingest_offsets WHERE consumer_group = '" + group
                        + "' AND next_offset > 0")) {
            while (rs.next()) {
                out.put(rs.getString(1) + "-" + rs.getInt(2), rs.getLong(3));
            }
        }
        return out;
    }

    /**
     * Waits until the group is stable with {@code members} members, each holding partitions, and returns one
     * agent-topic partition of each: a test that needs two consumer threads at once must not start while one
     * still holds everything and the other is joining, since that rebalance cannot finish while the first is
     * held up in its batch.
     */
    List<Integer> awaitAgentPartitionPerMember(int members, Duration timeout) {
        List<Integer> found = new java.util.ArrayList<>();
        Poll.until(timeout, "group " + group + " to be stable with " + members + " members", () -> {
            found.clear();
            try (Admin admin = admin()) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                        .get();
                if (d.groupState() != GroupState.STABLE || d.members().size() != members) {
                    return false;
                }
                for (MemberDescription m : d.members()) {
                    m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(agentTopic))
                            .map(TopicPartition::partition).findFirst().ifPresent(found::add);
                }
                return found.size() == members;
            } catch (Exception e) {
                return false;
            }
        });
        return List.copyOf(found);
    }

    /** Waits until the offsets committed in the database reach the log end of every partition. */
    void awaitCaughtUp(Duration timeout) {
        long end = endOffsets().values().stream().mapToLong(Long::longValue).sum();
        Poll.until(timeout, "the worker to commit all " + end + " records of " + name, () -> count(
                "SELECT coalesce(sum(next_offset), 0) FROM factory.ingest_offsets WHERE consumer_group = '" + group
                        + "'") == end);
    }
}
