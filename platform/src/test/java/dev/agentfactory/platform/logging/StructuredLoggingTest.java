package dev.agentfactory.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Boots a tiny app with platform on the class path and proves that what it logs is one Cloud
 * Logging JSON object per line, and that configured secrets never reach the output.
 */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest {

    private static final String DB_PASSWORD = "db-Pa55word-7f3a";
    private static final String JWT_SECRET = "jwt-signing-secret-0d9c41";
    private static final String REDIS_PASSWORD = "redis-pw-88e1";
    private static final Logger log = LoggerFactory.getLogger(StructuredLoggingTest.class);
    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext app;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TinyApp {
    }

    @BeforeAll
    static void boot() {
        SpringApplication application = new SpringApplication(TinyApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        app = application.run(
                "--spring.application.name=tiny-app",
                "--spring.datasource.password=" + DB_PASSWORD,
                "--factory.jwt.secret=" + JWT_SECRET,
                "--factory.logging.gcp-project=demo-project",
                "--factory.logging.max-message-chars=200",
                "--spring.kafka.bootstrap-servers=127.0.0.1:1",
                "--logging.level.org.apache.kafka=ERROR");
    }

    @AfterAll
    static void close() {
        app.close();
    }

    @Test
    void everyLineIsACloudLoggingJsonObject(CapturedOutput output) {
        log.warn("cache refresh slow for agent {}", "a-1");

        List<JsonNode> lines = jsonLines(output);
        assertThat(lines).isNotEmpty();
        JsonNode line = lines.get(lines.size() - 1);
        assertThat(line.get("severity").asString()).isEqualTo("WARNING");
        assertThat(line.get("message").asString()).isEqualTo("cache refresh slow for agent a-1");
        assertThat(line.get("time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(line.get("logger").asString()).isEqualTo(StructuredLoggingTest.class.getName());
        assertThat(line.get("serviceContext").get("service").asString()).isEqualTo("tiny-app");
        assertThat(line.has(CloudLoggingFormatter.TRACE_FIELD)).isFalse();
    }

    @Test
    void traceAndSpanFromTheMdcBecomeCloudLoggingTraceFields(CapturedOutput output) {
        MDC.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
        MDC.put("spanId", "00f067aa0ba902b7");
        MDC.put("eventId", "e-42");
        try {
            log.info("applied");
        } finally {
            MDC.clear();
        }

        JsonNode line = lastLine(output);
        assertThat(line.get(CloudLoggingFormatter.TRACE_FIELD).asString())
                .isEqualTo("projects/demo-project/traces/4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(line.get(CloudLoggingFormatter.SPAN_FIELD).asString()).isEqualTo("00f067aa0ba902b7");
        assertThat(line.get("context").get("eventId").asString()).isEqualTo("e-42");
        assertThat(line.get("context").has("traceId")).isFalse();
    }

    @Test
    void configuredSecretsNeverAppearInMessagesContextOrStackTraces(CapturedOutput output) {
        log.info("connecting with password {} and token {}", DB_PASSWORD, JWT_SECRET);
        log.info("redis at redis://default:{}@cache:6379", REDIS_PASSWORD);
        log.info("jdbc:postgresql://db:5432/factory?user=w&password={}", REDIS_PASSWORD);
        MDC.put("authorization", "Bearer " + JWT_SECRET);
        try {
            log.error("login failed", new IllegalStateException("bad secret " + JWT_SECRET));
        } finally {
            MDC.clear();
        }
        log.atInfo().addKeyValue("password", DB_PASSWORD).log("key-value pair");

        String all = output.getOut() + output.getErr();
        assertThat(all).doesNotContain(DB_PASSWORD).doesNotContain(JWT_SECRET).doesNotContain(REDIS_PASSWORD);
        List<JsonNode> lines = jsonLines(output);
        JsonNode error = lines.stream().filter(l -> l.get("severity").asString().equals("ERROR"))
                .reduce((first, second) -> second).orElseThrow();
        assertThat(error.get("stack_trace").asString())
                .contains("IllegalStateException: bad secret " + SecretMasker.MASK);
        assertThat(error.get("context").get("authorization").asString()).isEqualTo("Bearer " + SecretMasker.MASK);
        assertThat(all).contains("redis://default:" + SecretMasker.MASK + "@cache:6379")
                .contains("password=" + SecretMasker.MASK);
    }

    @Test
    void aPayloadDumpedIntoAMessageIsCutToTheConfiguredLength(CapturedOutput output) {
        String payload = "{\"config\":\"" + "x".repeat(1000) + "\"}";
        log.info("payload {}", payload);

        String message = lastLine(output).get("message").asString();
        assertThat(message).hasSize(200 + LoggingSettings.TRUNCATED.length()).endsWith(LoggingSettings.TRUNCATED);
    }

    private static JsonNode lastLine(CapturedOutput output) {
        List<JsonNode> lines = jsonLines(output);
        return lines.get(lines.size() - 1);
    }

    /** Every non-empty line of stdout, each of which must parse as a JSON object. */
    private static List<JsonNode> jsonLines(CapturedOutput output) {
        return output.getOut().lines().filter(line -> !line.isBlank()).map(line -> {
            JsonNode node = json.readTree(line);
            assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
            return node;
        }).toList();
    }
}
