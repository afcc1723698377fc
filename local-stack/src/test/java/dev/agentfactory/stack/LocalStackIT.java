package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.Topics;
import dev.agentfactory.stack.junit.LocalStackExtension;

@ExtendWith(LocalStackExtension.class)
class LocalStackIT {

    @Test
    void recordProducedToTheBrokerIsConsumedBack(StackEndpoints stack) throws Exception {
        String topic = "stack-it-" + UUID.randomUUID();
        String value = "hello-" + UUID.randomUUID();
        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", value)).get();
        }
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "stack-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            String seen = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen = r.value();
                }
            }
            assertThat(seen).isEqualTo(value);
        }
    }

    @Test
    void contractTopicsExistWithTheirPartitionCounts(StackEndpoints stack) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            var described = admin.describeTopics(Topics.all().stream().map(Topics.Spec::name).toList())
                    .allTopicNames().get();
            for (Topics.Spec spec : Topics.all()) {
                assertThat(described.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
            }
        }
    }

    @Test
    void bothClustersRunWithLogicalWalLevel(StackEndpoints stack) throws Exception {
        for (String url : List.of(stack.primaryJdbcUrl(), stack.standbyJdbcUrl())) {
            try (Connection c = DriverManager.getConnection(url, stack.superuser(), stack.superuserPassword());
                 ResultSet rs = c.createStatement().executeQuery("SHOW wal_level")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as(url).isEqualTo("logical");
            }
        }
    }

    @Test
    void redisAnswersPing(StackEndpoints stack) {
        RedisServer redis = new RedisServer(null, Integer.parseInt(stack.redisUrl().replaceAll(".*:", "")));
        assertThat(redis.command("PING")).isEqualTo("PONG");
    }

    @Test
    void aRunningStackIsReusedNotStartedAgain(LocalStack stack) {
        String before = StackControl.send(stack.settings(), "pid");
        stack.ensureRunning();
        assertThat(StackControl.send(stack.settings(), "pid")).isEqualTo(before).matches("\\d+");
    }

    @Test
    void anIdleReplicationSlotIsReportedWithTheWalItHolds(LocalStack stack) throws Exception {
        String slot = "it_stack_idle_slot";
        // A physical slot reserving WAL at once: a logical one would wait for every open transaction.
        try (Connection c = stack.primary().connect("postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            try {
                st.execute("SELECT pg_switch_wal()");
                assertThat(stack.primary().idleSlotsPinningWal(0))
                        .anySatisfy(s -> assertThat(s).startsWith("replication slot " + slot + " (physical) is idle and holds "));
                assertThat(stack.primary().idleSlotsPinningWal(Long.MAX_VALUE)).isEmpty();
            } finally {
                st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
    }
}
