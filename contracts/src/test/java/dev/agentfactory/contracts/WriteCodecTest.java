package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.InvalidWriteException.Reason;
import tools.jackson.databind.node.JsonNodeFactory;

class WriteCodecTest {

    private final WriteCodec codec = new WriteCodec(2_000);

    @Test
    void everyCommandExampleInTheReadmeDecodesAndRoundTrips() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("```json\\n(\\{\"eventId\".*\"schemaVersion\".*)\\n```").matcher(readme);
        List<CommandType> seen = new ArrayList<>();
        while (m.find()) {
            WriteEnvelope e = codec.decode(m.group(1).getBytes(StandardCharsets.UTF_8));
            seen.add(e.type());
            assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
        }
        assertThat(seen).containsExactlyInAnyOrder(CommandType.values());
    }

    @Test
    void bytesThatAreNotJsonAreMalformed() {
        assertReason("{\"eventId\": \"3f", Reason.MALFORMED_JSON);
        assertThatThrownBy(() -> codec.decode(new byte[0])).extracting(e -> ((InvalidWriteException) e).reason())
                .isEqualTo(Reason.MALFORMED_JSON);
    }

    @Test
    void anUnknownTypeIsNamedAsSuch() {
        assertReason(envelope("agent.explode", UUID.randomUUID().toString(), "{}"), Reason.UNKNOWN_TYPE);
    }

    @Test
    void idsThatAreNotCanonicalUuidsAreInvalidIds() {
        assertReason(envelope("agent.delete", "agent-42", "{}"), Reason.INVALID_ID);
        assertReason(envelope("agent.delete", "1-1-1-1-1", "{}"), Reason.INVALID_ID);
        assertReason(envelope("prd.link-agent", UUID.randomUUID().toString(), "{\"agentId\":\"x\"}"), Reason.INVALID_ID);
    }

    @Test
    void payloadsBreakingTheSchemaAreViolations() {
        String id = UUID.randomUUID().toString();
        assertReason(envelope("agent.create", id, "{\"slug\":\"x\",\"kind\":\"k\"}"), Reason.SCHEMA_VIOLATION);
        assertReason(envelope("agent.create", id, "{\"slug\":\"Not A Slug\",\"name\":\"n\",\"kind\":\"k\"}"),
                Reason.SCHEMA_VIOLATION);
        assertReason(envelope("agent.update", id, "{\"status\":\"sleeping\"}"), Reason.SCHEMA_VIOLATION);
        assertReason(envelope("agent.update", id, "{\"name\":null}"), Reason.SCHEMA_VIOLATION);
        assertReason(envelope("agent.update", id, "{\"slug\":\"renamed\"}"), Reason.SCHEMA_VIOLATION);
        assertReason(envelope("prd.update", id, "{\"status\":\"shipped\"}"), Reason.SCHEMA_VIOLATION);
        assertReason("[1,2]", Reason.SCHEMA_VIOLATION);
    }

    @Test
    void onlySchemaVersionOneIsAcceptedHoweverTheNumberIsWritten() {
        String v1 = envelope("agent.delete", UUID.randomUUID().toString(), "{}");
        assertThat(codec.decode(v1.getBytes(StandardCharsets.UTF_8)).schemaVersion()).isEqualTo(1);
        // 2^32 + 1: truncated to an int it would read as 1
        assertReason(v1.replace("\"schemaVersion\":1", "\"schemaVersion\":4294967297"), Reason.SCHEMA_VIOLATION);
        assertReason(v1.replace("\"schemaVersion\":1", "\"schemaVersion\":2"), Reason.SCHEMA_VIOLATION);
        assertReason(v1.replace("\"schemaVersion\":1", "\"schemaVersion\":\"1\""), Reason.SCHEMA_VIOLATION);
    }

    @Test
    void aStringWithHalfASurrogatePairIsAViolationNotAStoredQuestionMark() {
        String id = UUID.randomUUID().toString();
        assertReason(envelope("agent.create", id, "{\"slug\":\"x\",\"name\":\"a\\ud800b\",\"kind\":\"k\"}"),
                Reason.SCHEMA_VIOLATION);
        assertReason(envelope("prd.update", id, "{\"body\":\"\\udc00\"}"), Reason.SCHEMA_VIOLATION);
        // a whole pair is a character like any other
        assertThat(codec.decode(envelope("agent.create", id,
                "{\"slug\":\"x\",\"name\":\"a\\ud83d\\ude00b\",\"kind\":\"k\"}").getBytes(StandardCharsets.UTF_8))
                .command()).isInstanceOf(WriteCommand.AgentCreate.class);
    }

    @Test
    void recordsOverTheLimitAreOversizedBeforeParsing() {
        assertReason("x".repeat(2_001), Reason.OVERSIZED);
    }

    @Test
    void encodedEnvelopesDecodeToTheSameRecord() {
        WriteEnvelope e = WriteEnvelope.of(UUID.randomUUID(), 3L, "me", new WriteCommand.AgentUpdate(
                JsonNodeFactory.instance.objectNode().put("name", "n")));
        assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
    }

    /** occurredAt and recordedAt are RFC 3339 date-times, as the contract says, not all Instant.parse takes. */
    @Test
    void timestampsThatAreNotRfc3339AreSchemaViolations() {
        String id = UUID.randomUUID().toString();
        for (String bad : List.of("2026-11-27T24:00:00Z", "2026-11-27T03:53:46.Z", "+10000-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z", "2026-11-27T03:53:46+01:00:30", "2026-11-27T03:53:46",
                // RFC 3339, but outside the years 0001 to 9999 in UTC, which PostgreSQL takes
                "9999-12-31T23:30:00-01:00", "0000-03-01T00:00:00Z")) {
            assertReason(envelope("agent.delete", id, "{}").replace("2026-01-01T00:00:00Z", bad),
                    Reason.SCHEMA_VIOLATION);
            assertReason(envelope("agent.history.append", id, "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":\""
                    + bad + "\"}"), Reason.SCHEMA_VIOLATION);
        }
        // stored at microseconds, rounded half to even: the last half microsecond of 9999 would be 10000
        assertReason(envelope("agent.history.append", id, "{\"kind\":\"learning\",\"entry\":{},"
                + "\"recordedAt\":\"9999-12-31T23:59:59.9999995Z\"}"), Reason.SCHEMA_VIOLATION);
        assertThat(codec.decode(envelope("agent.history.append", id, "{\"kind\":\"learning\",\"entry\":{},"
                + "\"recordedAt\":\"9999-12-31T23:59:59.9999994Z\"}").getBytes(StandardCharsets.UTF_8))).isNotNull();
        WriteEnvelope e = codec.decode(envelope("agent.history.append", id,
                "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":\"2026-11-27t03:53:46.5-02:30\"}")
                .replace("2026-01-01T00:00:00Z", "2026-11-27T04:00:00+01:00").getBytes(StandardCharsets.UTF_8));
        assertThat(e.occurredAt()).isEqualTo(java.time.Instant.parse("2026-11-27T03:00:00Z"));
        assertThat(((WriteCommand.AgentHistoryAppend) e.command()).recordedAt())
                .isEqualTo(java.time.Instant.parse("2026-11-27T06:23:46.5Z"));
    }

    private void assertReason(String json, Reason reason) {
        assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidWriteException.class)
                .extracting(e -> ((InvalidWriteException) e).reason()).isEqualTo(reason);
    }

    private static String envelope(String type, String entityId, String payload) {
        return "{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"" + type + "\",\"entityId\":\"" + entityId
                + "\",\"actor\":\"t\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"schemaVersion\":1,\"payload\":"
                + payload + "}";
    }

    @Test
    void outcomesAreWrittenAsDataBindingWritesThemAndReadBack() {
        UUID event = UUID.randomUUID();
        UUID entity = UUID.randomUUID();
        java.time.Instant at = java.time.Instant.parse("2026-11-27T03:53:46.123456Z");
        for (WriteOutcome o : List.of(
                new WriteOutcome(event, "agent", entity, "agent.create", WriteOutcome.Status.APPLIED, 1L, null, null, at),
                new WriteOutcome(event, "prd", entity, "prd.update", WriteOutcome.Status.DUPLICATE, 7L,
                        WriteOutcome.Status.CONFLICT, null, at),
                new WriteOutcome(event, null, null, null, WriteOutcome.Status.REJECTED, null, null,
                        "slug \"x\" is taken\n\u00e9", null))) {
            byte[] bytes = codec.encodeOutcome(o);
            assertThat(new String(bytes, StandardCharsets.UTF_8))
                    .isEqualTo(new String(WriteCodec.MAPPER.writeValueAsBytes(o), StandardCharsets.UTF_8));
            assertThat(codec.decodeOutcome(bytes)).isEqualTo(o);
        }
    }
}
