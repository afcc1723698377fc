package dev.agentfactory.worker.ingest;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.agentfactory.contracts.RecordSizes;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.worker.dlq.DeadLetterPublisher;
import dev.agentfactory.worker.results.OutcomePublisher;
import dev.agentfactory.worker.writes.BatchProcessor;
import dev.agentfactory.worker.writes.OffsetStore;
import io.micrometer.core.instrument.MeterRegistry;

/** The consumer container, its error handling, the producers for outcomes and the DLQ, and the batch handler. */
@Configuration(proxyBeanMethods = false)
class IngestKafkaConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    IngestMetrics ingestMetrics(MeterRegistry registry, IngestProperties props) {
        return new IngestMetrics(registry, props.maxBatchRecords());
    }

    @Bean
    WriteCodec writeCodec(IngestProperties props) {
        return new WriteCodec(props.maxPayloadBytes());
    }

    @Bean
    OffsetStore offsetStore(IngestProperties props) {
        return new OffsetStore(props.groupId());
    }

    @Bean
    BatchProcessor batchProcessor(DataSource dataSource, PlatformTransactionManager tm, OffsetStore offsets, Clock clock,
                                  IngestProperties props) {
        return new BatchProcessor(dataSource, new TransactionTemplate(tm), offsets, clock, props.maxEntityBytes(),
                props.maxBatchChars());
    }

    /**
     * One idempotent producer for outcomes and dead letters, closed with the context. Its max.request.size leaves
     * room above max-payload-bytes for a dead letter's key and headers ({@link RecordSizes}, the rule ops dlq-replay
     * sends them back with): at Kafka's default (1 MiB, below the default payload limit) an invalid record of 1 MiB
     * or more could never be dead-lettered.
     */
    @Bean
    AcknowledgedSends acknowledgedSends(KafkaProperties kafka, IngestProperties props) {
        return new AcknowledgedSends(new DefaultKafkaProducerFactory<>(producerConfig(kafka, props)));
    }

    static Map<String, Object> producerConfig(KafkaProperties kafka, IngestProperties props) {
        Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
        config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                RecordSizes.maxRequestBytes(props.maxPayloadBytes()));
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        // A batch's records are all sent before its acknowledgements are awaited, so a linger only delayed each
        // batch (5 ms of a 20 ms cycle at 2,000 events/s). In a drain the first requests go out nearly empty, then
        // records batch behind the five in flight: the drain's rate and CPU per event did not move (README).
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    @Bean
    DeadLetterPublisher deadLetterPublisher(AcknowledgedSends acknowledgedSends, IngestProperties props) {
        return new DeadLetterPublisher(acknowledgedSends, props.dlqTopic(), props.maxPayloadBytes());
    }

    @Bean
    OutcomePublisher outcomePublisher(AcknowledgedSends acknowledgedSends, WriteCodec codec, IngestProperties props) {
        return new OutcomePublisher(acknowledgedSends, codec, props.resultsTopic());
    }

    /**
     * Anything that reaches the container is transient (bad records are handled in the batch), so the
     * batch is retried with exponential backoff, with the consumer paused, and never skipped.
     * <p>
     * Spring's default classification calls some exceptions not retryable (ClassCastException, conversion and
     * deserialization errors, ..., also found as a cause): the batch fallback then skips the retries, its recoverer
     * logs "Records discarded" and the container commits past the batch, whose events get no outcome and no dead
     * letter. So every exception is classified retryable ({@code setClassifications} also reaches the batch
     * fallback; {@code defaultFalse} does not), and the recoverer, which the endless backoff should never reach,
     * throws: Spring then seeks back to the batch instead of committing past it.
     */
    @Bean
    CommonErrorHandler ingestErrorHandler(IngestProperties props, IngestMetrics metrics) {
        DefaultErrorHandler handler = new DefaultErrorHandler(IngestKafkaConfig::refuseToSkip, retryBackOff(props));
        handler.setClassifications(Map.of(), true);
        handler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecords<?, ?> records, Exception ex, int deliveryAttempt) {
                metrics.batchFailed(ex);
            }

            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception ex, int deliveryAttempt) {
                metrics.batchFailed(ex);
            }
        });
        return handler;
    }

    /** The error handler's recoverer: a record is never given up on, so being asked to is a bug, not a skip. */
    static void refuseToSkip(ConsumerRecord<?, ?> record, Exception cause) {
        throw new IllegalStateException("ingest never skips a record; " + record.topic() + "-" + record.partition()
                + "@" + record.offset() + " stays to be retried", cause);
    }

    /** The waits between attempts at anything transient: from retry-initial, doubling, up to retry-max, for ever. */
    static ExponentialBackOff retryBackOff(IngestProperties props) {
        ExponentialBackOff backOff = new ExponentialBackOff(props.retryInitial().toMillis(), 2.0);
        backOff.setMaxInterval(props.retryMax().toMillis());
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        backOff.setMaxAttempts(Long.MAX_VALUE);
        return backOff;
    }

    /**
     * The group's consumer. Its {@code max.poll.interval.ms}, unless set, is Kafka's default (300 s, what the rest of
     * a batch had: decoding, the database) plus {@code brokerWaits}, the longest a batch may wait for the broker's
     * acknowledgements: in a broker brownout a batch's dead letters and outcomes can wait longer than the default,
     * and the consumer was evicted from the group in the middle of its batch, its partitions moving at every such
     * batch (correct, the offsets rows fence the batches, but a rebalance storm). The price of the longer interval:
     * a consumer thread that hangs keeps its partitions longer before the group takes them from it.
     *
     * @param brokerWaits the longest a batch waits for the broker: its dead letters' and its outcomes' sends
     */
    static Map<String, Object> consumerConfig(KafkaProperties kafka, IngestProperties props, Duration brokerWaits) {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, props.groupId());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Never latest: an offset below the log's start (retention deleted what a stale Kafka offset points at) must
        // resume at the oldest record the database may lack, not at the log's end; nor may a partition new to both
        // offsets skip what is already in it. What retention deleted before it was applied is reported, not skipped
        // silently (ExpiredRecords).
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, props.maxBatchRecords());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Duration interval = Duration.ofMillis((Integer) ConsumerConfig.configDef().defaultValues()
                .get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG)).plus(brokerWaits);
        // A producer told to wait for ever (max.block.ms or delivery.timeout.ms at their maximum) gets the longest.
        config.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                interval.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) >= 0 ? Integer.MAX_VALUE
                        : (int) interval.toMillis());
        return config;
    }

    @Bean
    ConcurrentMessageListenerContainer<byte[], byte[]> ingestContainer(KafkaProperties kafka, IngestProperties props,
            CommonErrorHandler ingestErrorHandler, WriteCodec codec, BatchProcessor processor,
            DeadLetterPublisher deadLetters, OutcomePublisher outcomes, IngestMetrics metrics, Clock clock,
            DataSource dataSource, OffsetStore offsets) {
        Map<String, Object> config = consumerConfig(kafka, props,
                deadLetters.longestWait().plus(outcomes.longestWait()));
        ContainerProperties cp = new ContainerProperties(props.agentTopic(), props.prdTopic());
        cp.setAckMode(ContainerProperties.AckMode.BATCH);
        // Kafka's offsets are a floor for publishing outcomes again, not the record of what was applied (the
        // database's are), so nothing waits for them: a synchronous commit held every batch for a round trip and
        // Kafka 4's group coordinator linger (group.coordinator.append.linger.ms, 5 ms), a third of a batch's cycle
        // at 2,000 events/s. The consumer's close still waits for the commits in flight.
        cp.setSyncCommits(false);
        cp.setCommitCallback(new KafkaOffsetCommits());
        cp.setPollTimeout(props.pollTimeout().toMillis());
        cp.setShutdownTimeout(props.shutdownTimeout().toMillis());
        AtomicReference<ConcurrentMessageListenerContainer<?, ?>> self = new AtomicReference<>();
        RecordRouting routing = new RecordRouting(props.agentTopic(), props.prdTopic());
        ExpiredRecords expired = new ExpiredRecords(metrics);
        cp.setConsumerRebalanceListener(new PartitionLagRelease(new OffsetSeeker(dataSource, offsets,
                props.maxBatchRecords(), retryBackOff(props), () -> self.get() == null || self.get().isRunning(),
                StoredLogCheck.forWriteTopics(config, codec, routing), metrics, expired), metrics));
        cp.setMessageListener(new WriteListener(codec, routing, processor, deadLetters, outcomes, metrics, expired,
                clock));
        var container = new ConcurrentMessageListenerContainer<>(new DefaultKafkaConsumerFactory<byte[], byte[]>(config), cp);
        container.setConcurrency(props.concurrency());
        container.setCommonErrorHandler(ingestErrorHandler);
        container.setBeanName("ingest");
        self.set(container);
        return container;
    }
}
