package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** {@code ops demo} (what {@code bin/run --demo} runs) against a worker: every sample write gets its outcome. */
@ExtendWith(LocalStackExtension.class)
class OpsDemoIT {

    @Test
    void theDemoWritesAllTakeEffectAndTheStaleOneIsAConflict(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("demo", endpoints, stack.primary());
        try (WorkerProcess worker = new WorkerProcess("demo", bed.workerProperties())) {
            worker.start().awaitHealthy(Duration.ofSeconds(90));
            assertThat(DlqReplayEndToEndIT.ops("demo", "--bootstrap=" + endpoints.kafkaBootstrap(),
                    "--agent-topic=" + bed.agentTopic, "--prd-topic=" + bed.prdTopic, "--results-topic=" + bed.resultsTopic)).isZero();
        }
        assertThat(bed.count("SELECT count(*) FROM factory.agents WHERE status = 'active'")).isEqualTo(2);
        assertThat(bed.count("SELECT count(*) FROM factory.prds WHERE status = 'review' AND version = 4")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.prd_agents")).isEqualTo(2);
        assertThat(bed.count("SELECT count(*) FROM factory.processed_events WHERE outcome = 'CONFLICT'")).isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM factory.agent_history")).isEqualTo(1);
    }
}
