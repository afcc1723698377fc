package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;
import org.springframework.util.backoff.FixedBackOff;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.worker.MigratedDatabase;
import dev.agentfactory.worker.writes.OffsetStore;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Where a partition starts on assignment, against a real broker and database: the lower of the offset stored with
 * the rows and Kafka's committed one; without a Kafka commit (the worker died before its first one, or the group's
 * offsets expired), one batch before the stored offset, never before the log's beginning, and at the beginning when
 * the log is not shown to be the one the stored offset came from (a recreated topic, another cluster: the last write
 * below the stored offset was never applied); without a stored offset
 * (a restored database), the log's beginning; and never Kafka's offset alone because the database could not be read,
 * not even once a stop ended the attempts and the partition is resumed. A stored offset below the log's start is
 * reported (retention deleted writes never applied), and a partition without one above partitions of its topic with
 * one is warned of (added to the topic, its keys moved).
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OffsetSeekerIT {

    private static final String STORE = """
            INSERT INTO factory.ingest_offsets (consumer_group, topic, partition, next_offset) VALUES (?, ?, ?, ?)""";
    private static final String STORE_OUTCOME = """
            INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)
            VALUES (?, 'agent', ?, 'agent.create', 'APPLIED', 1)""";
    private static final WriteCodec CODEC = new WriteCodec();

    private final String suffix = Long.toString(System.currentTimeMillis(), 36);
    private final String db = "it_worker_seek_" + suffix;
    private final String topic = "it-worker.seek." + suffix;
    private final TopicPartition tp = new TopicPartition(topic, 0);
    /** Ten writes no database here applied: the log of a recreated topic, or of another cluster. */
    private final TopicPartition otherLog = new TopicPartition(topic + ".other", 0);
    /** Ten records that are not writes. */
    private final TopicPartition invalidLog = new TopicPartition(topic + ".invalid", 0);
    /** Ten applied writes, then twenty dead letters (records that are not writes). */
    private final TopicPartition deadLettersOnTop = new TopicPartition(topic + ".dead-letters-on-top", 0);
    /** Ten records, the first six deleted by retention. */
    private final TopicPartition expiredLog = new TopicPartition(topic + ".expired", 0);
    /** Two partitions, no records: the second as if added to the topic. */
    private final String twoPartitions = topic + ".two-partitions";
    private StackEndpoints endpoints;
    private MigratedDatabase database;
    private PGSimpleDataSource dataSource;
    private SimpleMeterRegistry registry;
    private IngestMetrics metrics;
    private ExpiredRecords expired;

    @BeforeEach
    void freshMeters() {
        registry = new SimpleMeterRegistry();
        metrics = new IngestMetrics(registry, 1_000);
        expired = new ExpiredRecords(metrics);
    }

    @BeforeAll
    void tenAppliedWritesOnOnePartition(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        database = new MigratedDatabase(stack, endpoints, db);
        dataSource = database.dataSource();
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(topic, 1, otherLog.topic(), 1, invalidLog.topic(), 1,
                deadLettersOnTop.topic(), 1, expiredLog.topic(), 1, twoPartitions, 2));
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                endpoints.kafkaBootstrap()), new ByteArraySerializer(), new ByteArraySerializer());
             Connection c = dataSource.getConnection(); PreparedStatement applied = c.prepareStatement(STORE_OUTCOME)) {
            for (int i = 0; i < 10; i++) {
                WriteEnvelope write = write(i);
                producer.send(new ProducerRecord<>(topic, key(write), CODEC.encode(write))).get();
                producer.send(new ProducerRecord<>(deadLettersOnTop.topic(), key(write), CODEC.encode(write))).get();
                applied.setObject(1, write.eventId());
                applied.setObject(2, write.entityId());
                applied.executeUpdate();
                WriteEnvelope unapplied = write(i);
                producer.send(new ProducerRecord<>(otherLog.topic(), key(unapplied), CODEC.encode(unapplied))).get();
                producer.send(new ProducerRecord<>(invalidLog.topic(), new byte[] {(byte) i})).get();
            }
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(deadLettersOnTop.topic(), new byte[] {(byte) i})).get();
            }
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(expiredLog.topic(), new byte[] {(byte) i})).get();
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()))) {
            admin.deleteRecords(Map.of(expiredLog, RecordsToDelete.beforeOffset(6))).all().get();
        }
    }

    private static byte[] key(WriteEnvelope write) {
        return write.recordKey().getBytes(StandardCharsets.UTF_8);
    }

    private static WriteEnvelope write(int i) {
        UUID agent = UUID.randomUUID();
        return WriteEnvelope.of(agent, null, "it", new WriteCommand.AgentCreate("seek-" + agent, "A" + i, "planner", null,
                null, null, null));
    }

    @AfterAll
    void dropDatabase() {
        database.close();
    }

    @Test
    void withoutAKafkaCommitItStartsOneBatchBeforeTheStoredOffset() throws Exception {
        assertThat(positionOnAssignment("no-commit", 8L, null, 3)).isEqualTo(5);
    }

    @Test
    void withoutAKafkaCommitItNeverStartsBeforeTheLogsBeginning() throws Exception {
        assertThat(positionOnAssignment("short-log", 8L, null, 2_000)).isZero();
    }

    @Test
    void withoutAKafkaCommitALogWhoseRecordsBelowTheStoredOffsetWereNeverAppliedIsReadFromItsBeginning()
            throws Exception {
        // one batch back would be 5: records 0 to 4 of the new log, never applied, would be skipped for good
        assertThat(positionOnAssignment("other-log", otherLog, 8L, null, 3, dataSource)).isZero();
    }

    @Test
    void withoutAKafkaCommitALogShorterThanTheStoredOffsetIsReadFromItsBeginning() throws Exception {
        assertThat(positionOnAssignment("shorter-log", tp, 14L, null, 3, dataSource)).isZero();
    }

    @Test
    void withoutAKafkaCommitOnlyInvalidRecordsBelowTheStoredOffsetProveNothingAndTheLogIsReadFromItsBeginning()
            throws Exception {
        assertThat(positionOnAssignment("invalid-log", invalidLog, 8L, null, 3, dataSource)).isZero();
    }

    @Test
    void withoutAKafkaCommitTheLastAppliedWriteIsLookedForBelowARunOfDeadLetters() throws Exception {
        // records 10 to 29 prove nothing; record 9, found further back, is known: one batch back from 30
        assertThat(positionOnAssignment("dead-letters-on-top", deadLettersOnTop, 30L, null, 3, dataSource))
                .isEqualTo(27);
    }

    @Test
    void theLastAppliedWriteIsLookedForNoFurtherBackThanTheLimit() throws Exception {
        // the known record 9 lies 21 below the stored offset: past a limit of 20, the log is not shown to be the one
        assertThat(positionOnAssignment("look-back-limit", deadLettersOnTop, 30L, null, 3, logCheck(20))).isZero();
        assertThat(positionOnAssignment("look-back-limit-2", deadLettersOnTop, 30L, null, 3, logCheck(21))).isEqualTo(27);
    }

    @Test
    void withAKafkaCommitItStartsAtTheLowerOfTheTwo() throws Exception {
        assertThat(positionOnAssignment("kafka-lower", 8L, 7L, 3)).isEqualTo(7);
        assertThat(positionOnAssignment("database-lower", 4L, 9L, 3)).isEqualTo(4);
    }

    @Test
    void aPartitionKafkaCommittedButTheDatabaseNeverSawStartsAtTheLogsBeginning() throws Exception {
        // a database restored from a backup taken before the partition's first write: it lacks all of them
        assertThat(positionOnAssignment("unknown-to-the-database", null, 7L, 3)).isZero();
    }

    @Test
    void aStoredOffsetBelowTheLogsStartIsReportedAsWritesRetentionDeletedBeforeTheyWereApplied() throws Exception {
        assertThat(positionOnAssignment("expired", expiredLog, 2L, 8L, 3, dataSource)).isEqualTo(2);
        assertThat(expiredCount()).as("offsets 2 to 5, never applied").isEqualTo(4);
    }

    @Test
    void withoutAKafkaCommitAStoredOffsetBelowTheLogsStartIsReportedToo() throws Exception {
        assertThat(positionOnAssignment("expired-no-commit", expiredLog, 2L, null, 3, dataSource)).isEqualTo(6);
        assertThat(expiredCount()).isEqualTo(4);
    }

    @Test
    void aStoredOffsetTheLogStillHoldsReportsNothing() throws Exception {
        positionOnAssignment("expired-held", expiredLog, 6L, 8L, 3, dataSource);
        positionOnAssignment("not-expired", 8L, null, 3);
        assertThat(expiredCount()).isZero();
    }

    @Test
    void aPartitionWithoutAStoredOffsetAboveOneWithIsWarnedOfAsAddedToItsTopic() throws Exception {
        storeOffset("added", new TopicPartition(twoPartitions, 0), 5);
        List<ILoggingEvent> warned = warningsOf(AddedPartitions.class,
                () -> positionOnAssignment("added", new TopicPartition(twoPartitions, 1), null, null, 3, dataSource));
        assertThat(warned).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("[" + twoPartitions + "-1] have no stored offset");
    }

    @Test
    void aPartitionWithoutAStoredOffsetBelowOneWithIsNotTakenForAdded() throws Exception {
        // never written to, most likely: partitions are added at the end
        storeOffset("never-written", new TopicPartition(twoPartitions, 1), 5);
        assertThat(warningsOf(AddedPartitions.class, () -> positionOnAssignment("never-written",
                new TopicPartition(twoPartitions, 0), null, null, 3, dataSource))).isEmpty();
    }

    @Test
    void aFailedReadOfTheStoredOffsetIsRetriedNotReplacedByKafkas() throws Exception {
        // the database is behind Kafka (restored); starting at Kafka's offset would skip records 4 to 8 for good
        AtomicInteger refusals = new AtomicInteger(2);
        PGSimpleDataSource unreachableAtFirst = new PGSimpleDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                if (refusals.getAndDecrement() > 0) {
                    throw new SQLException("Connection refused", "08001");
                }
                return super.getConnection();
            }
        };
        unreachableAtFirst.setUrl(dataSource.getUrl());
        unreachableAtFirst.setUser(dataSource.getUser());
        unreachableAtFirst.setPassword(dataSource.getPassword());
        assertThat(positionOnAssignment("database-unreachable", 4L, 9L, 3, unreachableAtFirst)).isEqualTo(4);
        assertThat(refusals.get()).as("both refusals were met").isNegative();
    }

    @Test
    void aStopWhileTheDatabaseIsUnreachableLeavesThePartitionPausedNotAtKafkasOffset() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        PGSimpleDataSource unreachable = new PGSimpleDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                attempts.incrementAndGet();
                throw new SQLException("Connection refused", "08001");
            }
        };
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(), ConsumerConfig.GROUP_ID_CONFIG,
                "stopped", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(9)), Duration.ofSeconds(30));
            // the container stops after the third attempt
            new OffsetSeeker(unreachable, new OffsetStore("stopped"), 3, new FixedBackOff(20, Long.MAX_VALUE),
                    () -> attempts.get() < 3, logCheck(1_000), metrics, expired)
                    .onPartitionsAssigned(consumer, List.of(tp));
            assertThat(attempts.get()).isEqualTo(3);
            assertThat(registry.get("factory.ingest.batch.failures").tag("exception", "SQLException").counter().count())
                    .as("each attempt counted for IngestBatchRetrying, no batch running meanwhile").isEqualTo(3);
            assertThat(consumer.paused()).containsExactly(tp);
            assertThat(consumer.poll(Duration.ofMillis(500))).as("nothing fetched from Kafka's offset").isEmpty();
            // as Spring's batch retry does when it ends, if the assignment came in one of its polls
            consumer.resume(consumer.assignment());
            ConsumerRecords<byte[], byte[]> fetched = ConsumerRecords.empty();
            for (int i = 0; i < 20 && fetched.isEmpty(); i++) {
                fetched = consumer.poll(Duration.ofMillis(500));
            }
            assertThat(fetched).as("records fetched once resumed").isNotEmpty();
            assertThat(fetched.iterator().next().offset()).as("fetched from the log's beginning, not Kafka's 9")
                    .isZero();
        }
    }

    private long positionOnAssignment(String group, Long stored, Long kafkaCommitted, int batchRecords)
            throws Exception {
        return positionOnAssignment(group, stored, kafkaCommitted, batchRecords, dataSource);
    }

    private long positionOnAssignment(String group, Long stored, Long kafkaCommitted, int batchRecords,
                                      DataSource seekerDataSource) throws Exception {
        return positionOnAssignment(group, tp, stored, kafkaCommitted, batchRecords, seekerDataSource);
    }

    private long positionOnAssignment(String group, TopicPartition tp, Long stored, Long kafkaCommitted,
                                      int batchRecords, DataSource seekerDataSource) throws Exception {
        return positionOnAssignment(group, tp, stored, kafkaCommitted, batchRecords, seekerDataSource, logCheck(1_000));
    }

    private long positionOnAssignment(String group, TopicPartition tp, Long stored, Long kafkaCommitted,
                                      int batchRecords, StoredLogCheck logCheck) throws Exception {
        return positionOnAssignment(group, tp, stored, kafkaCommitted, batchRecords, dataSource, logCheck);
    }

    private long positionOnAssignment(String group, TopicPartition tp, Long stored, Long kafkaCommitted,
                                      int batchRecords, DataSource seekerDataSource, StoredLogCheck logCheck)
            throws Exception {
        if (stored != null) {
            storeOffset(group, tp, stored);
        }
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(), ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            if (kafkaCommitted != null) {
                consumer.commitSync(Map.of(tp, new OffsetAndMetadata(kafkaCommitted)), Duration.ofSeconds(30));
            }
            new OffsetSeeker(seekerDataSource, new OffsetStore(group), batchRecords, new FixedBackOff(20, Long.MAX_VALUE),
                    () -> true, logCheck, metrics, expired)
                    .onPartitionsAssigned(consumer, List.of(tp));
            return consumer.position(tp, Duration.ofSeconds(30));
        }
    }

    private void storeOffset(String group, TopicPartition tp, long offset) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(STORE)) {
            ps.setString(1, group);
            ps.setString(2, tp.topic());
            ps.setInt(3, tp.partition());
            ps.setLong(4, offset);
            ps.executeUpdate();
        }
    }

    private double expiredCount() {
        return registry.get("factory.ingest.records.expired").counter().count();
    }

    /** The warnings {@code type} logs while {@code action} runs. */
    private static List<ILoggingEvent> warningsOf(Class<?> type, Callable<?> action) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            action.call();
        } finally {
            logger.detachAppender(logged);
        }
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    private StoredLogCheck logCheck(long maxLookBack) {
        return new StoredLogCheck(() -> StoredLogCheck.logReader(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(), ConsumerConfig.GROUP_ID_CONFIG, "any",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)), r -> {
                    try {
                        return CODEC.decode(r.value()).eventId();
                    } catch (InvalidWriteException e) {
                        return null;
                    }
                }, Duration.ofSeconds(30), maxLookBack);
    }
}
