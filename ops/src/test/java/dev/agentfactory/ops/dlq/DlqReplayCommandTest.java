package dev.agentfactory.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.InvalidWriteException;

class DlqReplayCommandTest {

    /**
     * SASL without a JAAS configuration: should the command get as far as its Kafka clients, they cannot be built and
     * it exits 1 at once, never reaching a broker.
     */
    private static final Map<String, String> NO_BROKER = Map.of("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
            "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN");

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aBlankReasonIsAUsageErrorNotEveryReason() {
        int status = run(List.of("--reason=", "--dry-run", "--bootstrap=127.0.0.1:1"), NO_BROKER);

        assertThat(status).isEqualTo(2);
        assertThat(stderr()).contains("dlq-replay: --reason is given but empty", "usage:");
    }

    /** {@code --reason=oversize} matched no dead letter, replayed nothing and exited 0, as if there were none. */
    @Test
    void aReasonTheWorkerNeverWritesIsAUsageErrorNamingTheValidOnes() {
        int status = run(List.of("--reason=oversize", "--dry-run", "--bootstrap=127.0.0.1:1"), NO_BROKER);

        assertThat(status).isEqualTo(2);
        assertThat(stderr()).contains("dlq-replay: --reason must be one of malformed_json, schema_violation,"
                + " unknown_type, oversized, invalid_id, wrong_key, wrong_topic, got 'oversize'", "usage:");
    }

    @Test
    void everyReasonTheWorkerWritesIsAccepted() {
        for (InvalidWriteException.Reason reason : InvalidWriteException.Reason.values()) {
            // 1: past the options, at the Kafka clients NO_BROKER cannot build
            assertThat(run(List.of("--reason=" + reason.wireName(), "--dry-run", "--bootstrap=127.0.0.1:1"),
                    NO_BROKER)).as(reason.wireName()).isEqualTo(1);
        }
    }

    /** [since, until) with since not before until holds no instant: the run selected nothing and exited 0. */
    @Test
    void aSinceNotBeforeUntilIsAUsageError() {
        for (String until : List.of("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z")) {
            err.reset();
            int status = run(List.of("--since=2026-01-02T00:00:00Z", "--until=" + until, "--dry-run",
                    "--bootstrap=127.0.0.1:1"), NO_BROKER);

            assertThat(status).as(until).isEqualTo(2);
            assertThat(stderr()).contains("dlq-replay: --since must be before --until", "usage:");
        }
    }

    /** --to-topic may only send a former topic's dead letters to a topic the worker reads. */
    @Test
    void aToTopicThatWouldSendElsewhereThanAWriteTopicIsAUsageError() {
        Map<String, String> env = new HashMap<>(NO_BROKER);
        env.put("FACTORY_INGEST_AGENT_TOPIC", "agents.v2");
        env.put("FACTORY_INGEST_PRD_TOPIC", "prds.v2");
        Map<String, String> refusals = Map.of(
                "--to-topic=agents.v1=agents.v3", "agents.v3 is not a topic the worker reads (agents.v2, prds.v2)",
                "--to-topic=prds.v2=agents.v2", "prds.v2 is a topic the worker reads",
                "--to-topic=agents.v1", "--to-topic takes old=new pairs",
                "--to-topic=agents.v1=agents.v2,", "--to-topic takes old=new pairs",
                "--to-topic=a=agents.v2,a=prds.v2", "--to-topic names a twice");
        refusals.forEach((option, message) -> {
            err.reset();
            assertThat(run(List.of(option, "--dry-run", "--bootstrap=127.0.0.1:1"), env)).as(option).isEqualTo(2);
            assertThat(stderr()).as(option).contains("dlq-replay: ", message, "usage:");
        });
        assertThat(run(List.of("--to-topic=agents.v1=agents.v2,prds.v1=prds.v2", "--dry-run",
                "--bootstrap=127.0.0.1:1"), env)).isEqualTo(1);
    }

    @Test
    void aMalformedEnvironmentVariableIsAUsageError() {
        Map<String, String> env = new HashMap<>(NO_BROKER);
        env.put("FACTORY_CDC_LOCK_KEY", "x");
        int status = run(List.of("--dry-run", "--bootstrap=127.0.0.1:1"), env);

        assertThat(status).isEqualTo(2);
        assertThat(stderr()).contains("dlq-replay: FACTORY_CDC_LOCK_KEY must be a number", "usage:");
    }

    private int run(List<String> args, Map<String, String> env) {
        return DlqReplayCommand.run(args, env, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
