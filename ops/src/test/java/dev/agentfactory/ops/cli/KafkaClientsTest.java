package dev.agentfactory.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.dlq.DlqReplayCommand;

/** ops reaches Kafka with the security settings the services are given (deploy/cloudrun/*.yaml). */
class KafkaClientsTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"factory\" password=\"s3cret\";";

    @Test
    void theServicesKafkaVariablesBecomeClientProperties() {
        KafkaClients k = KafkaClients.fromEnvironment(Map.of("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN", "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", JAAS,
                "SPRING_KAFKA_PROPERTIES_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", " ", // a secret that failed to mount
                "FACTORY_DB_URL", "jdbc:postgresql://db/factory"), "kafka:9092");

        assertThat(k.security()).containsExactlyInAnyOrderEntriesOf(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config", JAAS));
        assertThat(k.config(Map.of("client.id", "factory-ops"))).containsEntry("bootstrap.servers", "kafka:9092")
                .containsEntry("sasl.jaas.config", JAAS).containsEntry("client.id", "factory-ops");
        assertThat(OpsSettings.fromEnvironment(Map.of("SPRING_KAFKA_SECURITY_PROTOCOL", "SSL")).kafka().security())
                .containsEntry("security.protocol", "SSL");
    }

    @Test
    void settingsNameTheirKeysButNeverTheJaasPassword() {
        KafkaClients k = KafkaClients.fromEnvironment(Map.of("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", JAAS), "k:9092");

        assertThat(k.toString()).contains("sasl.jaas.config").doesNotContain("s3cret");
        assertThat(OpsSettings.fromEnvironment(Map.of("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", JAAS)).toString())
                .doesNotContain("s3cret");
    }

    @Test
    void dlqReplayHandsTheSettingsToItsClients() {
        // SASL without a JAAS configuration: a client given these settings cannot even be built, so the command
        // fails at once instead of waiting 30 s for a broker that is not there.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DlqReplayCommand.run(List.of("--bootstrap=127.0.0.1:1"), Map.of("SPRING_KAFKA_SECURITY_PROTOCOL",
                "SASL_PLAINTEXT", "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Failed to construct kafka consumer");
    }
}
