package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The container's error handler retries every failed batch, whatever Spring would call "not retryable". */
class IngestErrorHandlerTest {

    /** Small settings for the worker's Kafka configuration under test (also {@link BatchCycleSettingsTest}). */
    static final IngestProperties PROPS = new IngestProperties("writes", "prd", "results", "dlq", "group",
            1, 10, 1000, 1000, 1000, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofSeconds(1));

    private final CommonErrorHandler handler = new IngestKafkaConfig().ingestErrorHandler(PROPS,
            new IngestMetrics(new SimpleMeterRegistry(), PROPS.maxBatchRecords()));
    private final ConsumerRecords<byte[], byte[]> batch = new ConsumerRecords<>(Map.of(new TopicPartition("writes", 0),
            List.of(new ConsumerRecord<>("writes", 0, 7L, new byte[0], new byte[0]))), Map.of());

    @Test
    void aClassCastExceptionRetriesTheBatchInsteadOfDiscardingIt() {
        assertThat(retriesAfter(new ClassCastException("a bug, or a driver's surprise"))).isEqualTo(1);
    }

    @Test
    void anExceptionCausedByAClassCastExceptionRetriesTheBatchToo() {
        assertThat(retriesAfter(new IllegalStateException("wrapped", new ClassCastException("inside")))).isEqualTo(1);
    }

    @Test
    void theRecovererRefusesToSkipARecordSoSpringSeeksBackToTheBatch() {
        assertThatThrownBy(() -> IngestKafkaConfig.refuseToSkip(batch.iterator().next(), new ClassCastException()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("writes-0@7");
    }

    /** Hands the failed batch to the handler; counts how often it runs the listener again, which then succeeds. */
    private int retriesAfter(Exception failure) {
        AtomicInteger invocations = new AtomicInteger();
        handler.handleBatch(failure, batch, consumer(), container(), invocations::incrementAndGet);
        return invocations.get();
    }

    @SuppressWarnings("unchecked")
    private static Consumer<byte[], byte[]> consumer() {
        Consumer<byte[], byte[]> consumer = mock(Consumer.class);
        when(consumer.poll(any(Duration.class))).thenReturn(ConsumerRecords.empty());
        return consumer;
    }

    private static MessageListenerContainer container() {
        MessageListenerContainer container = mock(MessageListenerContainer.class);
        when(container.isRunning()).thenReturn(true);
        when(container.getContainerFor(anyString(), anyInt())).thenReturn(container);
        return container;
    }
}
