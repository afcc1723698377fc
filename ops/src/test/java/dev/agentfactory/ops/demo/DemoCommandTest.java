package dev.agentfactory.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void aMalformedEnvironmentVariableIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // SASL without a JAAS configuration: past the settings, the clients cannot be built and no broker is reached
        int status = DemoCommand.run(List.of("--bootstrap=127.0.0.1:1"), Map.of("FACTORY_CDC_LOCK_KEY", "x",
                        "SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM",
                        "PLAIN"), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo: FACTORY_CDC_LOCK_KEY must be a number",
                "usage:");
    }

    @Test
    void aBlankTopicIsAUsageErrorNotTheDefaultTopic() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DemoCommand.run(List.of("--bootstrap=127.0.0.1:1", "--agent-topic="),
                Map.of("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM",
                        "PLAIN"), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo: --agent-topic is given but empty");
    }
}
