package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.test.util.ReflectionTestUtils;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.worker.dlq.DeadLetterPublisher;
import dev.agentfactory.worker.results.OutcomePublisher;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What a batch waits for between its poll and the next: the database commit and its outcomes' acknowledgements,
 * not Kafka's offset commit (a round trip and the group coordinator's linger) nor a producer linger. At 2,000
 * events/s those two were 12 of a 20 ms cycle, and a write waits about two cycles (bin/bench ingest's p50). And how
 * long the group lets it wait before it evicts the consumer: as long as the broker may hold its sends, and Kafka's
 * default besides.
 */
class BatchCycleSettingsTest {

    private static final IngestProperties PROPS = IngestErrorHandlerTest.PROPS;

    private final IngestKafkaConfig config = new IngestKafkaConfig();
    private final AcknowledgedSends sends = config.acknowledgedSends(new KafkaProperties(), PROPS);
    private final DeadLetterPublisher deadLetters = config.deadLetterPublisher(sends, PROPS);
    private final OutcomePublisher outcomes = config.outcomePublisher(sends, new WriteCodec(), PROPS);

    @AfterEach
    void closeTheProducers() {
        sends.close();
    }

    private ConcurrentMessageListenerContainer<byte[], byte[]> container(KafkaProperties kafka) {
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), PROPS.maxBatchRecords());
        return config.ingestContainer(kafka, PROPS, config.ingestErrorHandler(PROPS, metrics), new WriteCodec(), null,
                deadLetters, outcomes, metrics, Clock.systemUTC(), null, null);
    }

    /** What the container's consumers are created with (its factory is not exposed). */
    private Map<String, Object> consumerConfig(KafkaProperties kafka) {
        return ((ConsumerFactory<?, ?>) ReflectionTestUtils.getField(container(kafka), "consumerFactory"))
                .getConfigurationProperties();
    }

    @Test
    void kafkaOffsetsAreCommittedWithoutWaitingAndAFailureOnlyWarns() {
        ContainerProperties container = container(new KafkaProperties()).getContainerProperties();

        assertThat(container.isSyncCommits()).isFalse();
        assertThat(container.getCommitCallback()).isInstanceOf(KafkaOffsetCommits.class);
    }

    @Test
    void aBatchWaitingAsLongAsTheBrokerMayMakeItIsNotEvictedFromTheGroup() {
        // by default 3 rounds of dead letters and one of outcomes, each 60 s of max.block.ms and 125 s of acks
        Duration brokerWaits = deadLetters.longestWait().plus(outcomes.longestWait());
        assertThat(brokerWaits).isEqualTo(Duration.ofSeconds(4 * 185));

        assertThat(consumerConfig(new KafkaProperties()))
                .containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                        (int) Duration.ofMinutes(5).plus(brokerWaits).toMillis());
    }

    @Test
    void anIntervalTheOperatorSetIsKept() {
        KafkaProperties kafka = new KafkaProperties();
        kafka.getConsumer().getProperties().put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");

        assertThat(consumerConfig(kafka))
                .containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "600000");
    }

    @Test
    void aProducerToldToWaitForEverGivesTheLongestInterval() {
        assertThat(IngestKafkaConfig.consumerConfig(new KafkaProperties(), PROPS, Duration.ofMillis(Long.MAX_VALUE)))
                .containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.MAX_VALUE);
    }

    @Test
    void outcomesAndDeadLettersAreSentWithoutLingeringSinceTheListenerAwaitsThemAtOnce() {
        assertThat(IngestKafkaConfig.producerConfig(new KafkaProperties(), PROPS))
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 0)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }
}
