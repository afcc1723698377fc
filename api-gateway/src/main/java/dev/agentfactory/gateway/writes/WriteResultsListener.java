package dev.agentfactory.gateway.writes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

import dev.agentfactory.contracts.WriteCodec;

/**
 * Every gateway instance reads the whole results topic in a group of its own, from the latest offset and
 * without committing: it only needs the outcomes of writes it is waiting for right now, and missed ones
 * are found by the waiter's database fallback. Transport only; an undecodable record fails into the
 * error handler bean ({@code WriteKafkaConfiguration#resultsErrorHandler}), which logs and skips it.
 */
@Component
class WriteResultsListener {

    private final WriteCodec codec = new WriteCodec();
    private final OutcomeWaiter waiter;

    WriteResultsListener(OutcomeWaiter waiter) {
        this.waiter = waiter;
    }

    @KafkaListener(id = "gateway-write-results", topics = "${factory.gateway.topics.results:factory.write-results.v1}",
            groupId = "${factory.gateway.topics.results-group:factory-gateway-results}-${random.uuid}",
            containerFactory = "writeResultsContainerFactory",
            properties = {"auto.offset.reset=latest", "enable.auto.commit=false"})
    void onOutcome(ConsumerRecord<String, byte[]> record) {
        waiter.complete(codec.decodeOutcome(record.value()));
    }
}
