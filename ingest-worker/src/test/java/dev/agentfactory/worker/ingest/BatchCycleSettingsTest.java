package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.listener.ContainerProperties;

import dev.agentfactory.contracts.WriteCodec;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What a batch waits for between its poll and the next: the database commit and its outcomes' acknowledgements,
 * not Kafka's offset commit (a round trip and the group coordinator's linger) nor a producer linger. At 2,000
 * events/s those two were 12 of a 20 ms cycle, and a write waits about two cycles (bin/bench ingest's p50).
 */
class BatchCycleSettingsTest {

    private static final IngestProperties PROPS = IngestErrorHandlerTest.PROPS;

    @Test
    void kafkaOffsetsAreCommittedWithoutWaitingAndAFailureOnlyWarns() {
        IngestKafkaConfig config = new IngestKafkaConfig();
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), PROPS.maxBatchRecords());
        ContainerProperties container = config.ingestContainer(new KafkaProperties(), PROPS,
                config.ingestErrorHandler(PROPS, metrics), new WriteCodec(), null, null, null, metrics,
                Clock.systemUTC(), null, null).getContainerProperties();

        assertThat(container.isSyncCommits()).isFalse();
        assertThat(container.getCommitCallback()).isInstanceOf(KafkaOffsetCommits.class);
    }

    @Test
    void outcomesAndDeadLettersAreSentWithoutLingeringSinceTheListenerAwaitsThemAtOnce() {
        assertThat(IngestKafkaConfig.producerConfig(new KafkaProperties(), PROPS))
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 0)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }
}
