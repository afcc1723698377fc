package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * A batch the database refuses for a reason that is not in its records (here a revoked grant) is retried with
 * backoff and counted in {@code factory_ingest_batch_failures_total}, the meter a stalled-partition alert
 * watches, while {@code factory_ingest_consumed_total} stays flat and {@code factory_ingest_lag} counts the refused
 * records (what {@code IngestStalled} reads); once the cause is fixed every write applies, once.
 */
@ExtendWith(LocalStackExtension.class)
class BatchRetryIT {

    @Test
    void aRefusedBatchIsRetriedAndCountedUntilTheCauseIsFixedThenEveryWriteAppliesOnce(StackEndpoints endpoints,
                                                                                      LocalStack stack) throws Exception {
        TestBed bed = new TestBed("retry", endpoints, stack.primary());
        sql(bed, "REVOKE INSERT ON factory.audit_log FROM factory_writer");
        List<WriteEnvelope> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(WriteEnvelope.of(UUID.randomUUID(), null, "agent:retry",
                    new WriteCommand.AgentCreate("retry-" + i, "Retry " + i, "planner", null, null, null, null)));
        }
        try (WorkerProcess worker = new WorkerProcess("retry", bed.workerProperties());
             WriteProducer producer = bed.producer()) {
            worker.start().awaitHealthy(Duration.ofSeconds(90));
            Streams.send(producer, writes);
            Poll.until(Duration.ofSeconds(60), "failed batch attempts counted", () -> Streams.meter(worker,
                    "factory_ingest_batch_failures_total", "exception=\"PSQLException\"") >= 2);
            assertThat(Streams.processed(bed)).as("nothing committed while refused").isZero();
            // What IngestStalled reads: nothing consumed, every refused record still behind.
            Poll.until(Duration.ofSeconds(30), "the refused records counted as lag",
                    () -> Streams.meter(worker, "factory_ingest_lag") == 5.0);
            assertThat(Streams.meter(worker, "factory_ingest_consumed_total")).as("consumed while refused").isZero();
            assertThat(worker.alive()).isTrue();

            sql(bed, "GRANT INSERT ON factory.audit_log TO factory_writer");
            bed.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(bed.count("SELECT count(*) FROM factory.agents WHERE slug LIKE 'retry-%'")).isEqualTo(5);
            assertThat(bed.count("SELECT count(*) FROM factory.audit_log")).isEqualTo(5);
            assertThat(Streams.processed(bed)).isEqualTo(5);
            Poll.until(Duration.ofSeconds(30), "each record consumed once",
                    () -> Streams.meter(worker, "factory_ingest_consumed_total") == 5.0);
        }
    }

    private static void sql(TestBed bed, String statement) throws Exception {
        try (Connection c = bed.sql(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
