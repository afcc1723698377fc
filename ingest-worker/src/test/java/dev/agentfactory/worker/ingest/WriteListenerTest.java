package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class WriteListenerTest {

    private static ConsumerRecord<byte[], byte[]> at(String topic, int partition, long offset) {
        return new ConsumerRecord<>(topic, partition, offset, null, null);
    }

    @Test
    void aFailedBatchIsLocatedByTheOffsetRangeOfEachOfItsPartitions() {
        assertThat(WriteListener.positions(List.of(at("writes", 3, 17), at("prd", 0, 5), at("writes", 3, 19),
                at("writes", 1, 4), at("writes", 3, 18)))).isEqualTo("prd-0@5, writes-1@4, writes-3@17..19");
    }
}
