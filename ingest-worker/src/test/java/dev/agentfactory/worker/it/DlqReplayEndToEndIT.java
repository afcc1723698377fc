package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The DLQ round trip: a write dead-lettered as oversized is replayed with {@code ops dlq-replay} once the
 * limit is raised, applies once, and a second replay answers DUPLICATE without a second effect.
 */
@ExtendWith(LocalStackExtension.class)
class DlqReplayEndToEndIT {

    @Test
    void aReplayedDeadLetterAppliesOnceEvenWhenReplayedTwice(StackEndpoints endpoints, LocalStack stack)
            throws Exception {
        TestBed bed = new TestBed("replay", endpoints, stack.primary());
        UUID agent = UUID.randomUUID();
        WriteEnvelope big = WriteEnvelope.of(agent, null, "it", new WriteCommand.AgentUpdate(JsonNodeFactory.instance
                .objectNode().put("name", "big").set("metadata", JsonNodeFactory.instance.objectNode()
                        .put("notes", "x".repeat(30_000)))));
        Map<String, String> small = bed.workerProperties(Map.of("factory.ingest.max-payload-bytes", "20000"));
        try (WriteProducer producer = bed.producer()) {
            try (WorkerProcess worker = new WorkerProcess("replay-small", small)) {
                worker.start().awaitHealthy(Duration.ofSeconds(90));
                Streams.send(producer, java.util.List.of(WriteEnvelope.of(agent, null, "it",
                        new WriteCommand.AgentCreate("replayed", "Replayed", "k", null, null, null, null)), big));
                bed.awaitCaughtUp(Duration.ofSeconds(60));
                // Gracefully, so Kafka's offsets follow the database's: after a SIGKILL between the two, the next
                // worker would be handed the oversized record again and, under its larger limit, apply it then
                // (once: its eventId has no outcome), leaving the replay below a DUPLICATE more than it expects.
                worker.stop();
            }
            assertThat(bed.count("SELECT version FROM factory.agents WHERE id = '" + agent + "'")).isEqualTo(1);

            // the worker's write topics, as in its environment: dlq-replay sends to no other topic
            Map<String, String> env = Map.of("FACTORY_INGEST_AGENT_TOPIC", bed.agentTopic,
                    "FACTORY_INGEST_PRD_TOPIC", bed.prdTopic);
            try (WorkerProcess worker = new WorkerProcess("replay-large", bed.workerProperties())) {
                worker.start().awaitHealthy(Duration.ofSeconds(90));
                assertThat(ops(env, "dlq-replay", "--reason=oversized", "--bootstrap=" + endpoints.kafkaBootstrap(),
                        "--dlq-topic=" + bed.dlqTopic)).isZero();
                bed.awaitCaughtUp(Duration.ofSeconds(60));
                assertThat(ops(env, "dlq-replay", "--bootstrap=" + endpoints.kafkaBootstrap(),
                        "--dlq-topic=" + bed.dlqTopic)).isZero();
                bed.awaitCaughtUp(Duration.ofSeconds(60));
                worker.stop(); // the last batch's outcome goes out after its commit: let it
            }
        }
        assertThat(bed.count("SELECT version FROM factory.agents WHERE id = '" + agent + "' AND name = 'big'"))
                .isEqualTo(2);
        assertThat(bed.count("SELECT count(*) FROM factory.audit_log WHERE event_id = '" + big.eventId() + "'"))
                .isEqualTo(1);
        WriteCodec codec = new WriteCodec();
        assertThat(TopicReader.read(endpoints.kafkaBootstrap(), bed.resultsTopic, 3, Duration.ofSeconds(30)).stream()
                .map(r -> codec.decodeOutcome(r.value())).filter(o -> o.eventId().equals(big.eventId()))
                .map(WriteOutcome::status)).containsExactly(WriteOutcome.Status.APPLIED, WriteOutcome.Status.DUPLICATE);
    }

    static int ops(String... args) throws Exception {
        return ops(Map.of(), args);
    }

    /** Runs the packaged ops CLI with this environment and {@code env} added. */
    static int ops(Map<String, String> env, String... args) throws Exception {
        Path jar = Path.of("..", "ops", "target", "ops-exec.jar").toAbsolutePath();
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        System.out.println("ops " + String.join(" ", args) + " -> " + status + "\n" + out);
        return status;
    }
}
