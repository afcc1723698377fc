package dev.agentfactory.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
