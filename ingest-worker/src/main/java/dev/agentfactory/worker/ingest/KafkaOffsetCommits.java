package dev.agentfactory.worker.ingest;

import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears how the container's Kafka offset commits ended; they are sent without waiting for the broker. The
 * database's offsets, committed with each batch's rows, say what was applied; Kafka's are only the floor
 * {@link OffsetSeeker} starts from, so that outcomes a crash left unpublished are published again. A commit that
 * failed (a rebalance under way, the coordinator moving) is superseded by its partition's next one (the next batch
 * there, or a later assignment's), and until then costs a restart or rebalance the republishing of some stored
 * outcomes, never a second effect: a warning, not an error as Spring's default callback logs it.
 */
final class KafkaOffsetCommits implements OffsetCommitCallback {

    private static final Logger log = LoggerFactory.getLogger(KafkaOffsetCommits.class);

    @Override
    public void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception) {
        if (exception != null) {
            log.warn("Kafka offset commit {} failed ({}); the database holds these offsets, and each partition's next "
                    + "commit supersedes this one (a restart before it publishes the outcomes since the last commit again)",
                    offsets, exception.toString());
        }
    }
}
