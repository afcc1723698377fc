package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * A partition stalls (its batches refused) while retention deletes the writes behind the failing batch. Once the
 * batch commits, the consumer's position is below the log's start and {@code auto.offset.reset} moves it there with
 * an INFO line: the deleted writes got no effect, outcome or dead letter, and nothing said so. Now they are counted in
 * {@code factory_ingest_records_expired_total} and logged as an ERROR naming the offsets.
 */
@ExtendWith(LocalStackExtension.class)
class ExpiredWritesIT {

    private static final WriteCodec CODEC = new WriteCodec();

    @Test
    void writesRetentionDeletesWhileTheirPartitionIsStalledAreCountedAndLoggedAsLost(StackEndpoints endpoints,
                                                                                     LocalStack stack) throws Exception {
        TestBed bed = new TestBed("expired", endpoints, stack.primary());
        TopicPartition p0 = new TopicPartition(bed.agentTopic, 0);
        sql(bed, "REVOKE INSERT ON factory.audit_log FROM factory_writer");
        // One consumer thread: a second one joining late would rebalance p0 to a fresh owner inside the window below,
        // which would fetch the writes before they are deleted.
        try (WorkerProcess worker = new WorkerProcess("expired", bed.workerProperties(Map.of(
                "factory.ingest.concurrency", "1")))) {
            worker.start().awaitHealthy(Duration.ofSeconds(90));
            send(bed, "stalled");    // offset 0: its batch is refused and retried, the partition paused
            // Well past any fetch in flight when the batch was polled (fetch.max.wait.ms, 500 ms; the retries wait 200,
            // 400 and 800 ms), which would hold the writes below for the partition's resumption: they are never fetched.
            Poll.until(Duration.ofSeconds(60), "the batch refused four times", () -> Streams.meter(worker,
                    "factory_ingest_batch_failures_total", "exception=\"PSQLException\"") >= 4);
            send(bed, "expired-1");
            send(bed, "expired-2");
            try (Admin admin = bed.admin()) {
                admin.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(3))).all().get();
            }
            send(bed, "kept");    // offset 3, the log's start

            sql(bed, "GRANT INSERT ON factory.audit_log TO factory_writer");
            Poll.until(Duration.ofSeconds(60), "the write after the gap applied",
                    () -> bed.count("SELECT count(*) FROM factory.agents WHERE slug = 'kept'") == 1);
            // counted once its batch committed, before its outcome is published
            Poll.until(Duration.ofSeconds(30), "the writes deleted counted",
                    () -> Streams.meter(worker, "factory_ingest_records_expired_total") > 0);
            assertThat(Streams.meter(worker, "factory_ingest_records_expired_total")).as("offsets 1 and 2")
                    .isEqualTo(2.0);
            worker.stop();    // its log complete before it is read
        }
        assertThat(bed.count("SELECT count(*) FROM factory.agents")).as("the stalled write and the kept one")
                .isEqualTo(2);
        assertThat(Files.readString(Path.of("target", "it-logs", "expired.log")))
                .contains(p0 + "@1..2: 2 offsets deleted by retention before they were applied");
    }

    /** A valid agent create on partition 0, keyed by its entityId. */
    private static void send(TestBed bed, String slug) throws Exception {
        UUID agent = UUID.randomUUID();
        WriteEnvelope e = WriteEnvelope.of(agent, null, "it", new WriteCommand.AgentCreate(slug, "A", "planner", null,
                null, null, null));
        bed.sendRaw(bed.agentTopic, 0, e.recordKey(), CODEC.encode(e));
    }

    private static void sql(TestBed bed, String statement) throws Exception {
        try (Connection c = bed.sql(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
