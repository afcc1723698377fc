package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;

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

import tools.jackson.databind.JsonNode;

/**
 * The published schemas and the codec must agree on every record: one the schema accepts and the codec refuses
 * is dead-lettered though its producer followed the contract; the reverse lets a schema-validating producer
 * refuse records the worker would take.
 */
class SchemaConformanceTest {

    private static final String ID = "7d1e2b9a-3c4f-4a5b-8c6d-9e0f1a2b3c4d";
    private final WriteCodec codec = new WriteCodec();

    private static String env(String type, String payload) {
        return "{\"eventId\":\"0b5f7c1e-6f0e-4c55-9d1b-2f0a8f6b9c01\",\"type\":\"" + type + "\",\"entityId\":\"" + ID
                + "\",\"actor\":\"t\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"schemaVersion\":1,\"payload\":"
                + payload + "}";
    }

    private static final String AGENT = "\"slug\":\"a\",\"name\":\"n\",\"kind\":\"k\"";
    private static final String PRD = "\"slug\":\"p\",\"title\":\"t\"";

    /** Records on which schema and codec must give the same verdict (valid or not). */
    private static List<String> cases() {
        List<String> c = new ArrayList<>();
        // envelope
        String del = env("agent.delete", "{}");
        c.add(del);
        c.add(del.replace("\"schemaVersion\":1", "\"schemaVersion\":2"));
        // the largest version there is, and beyond a bigint, the database's version type
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":9223372036854775807,"));
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":9223372036854775808,"));
        c.add(del.replace("\"schemaVersion\":1", "\"schemaVersion\":\"1\""));
        c.add(del.replace("\"actor\":\"t\"", "\"actor\":\"\""));
        c.add(del.replace("\"actor\":\"t\"", "\"actor\":\"" + "x".repeat(200) + "\""));
        c.add(del.replace("\"actor\":\"t\"", "\"actor\":\"" + "x".repeat(201) + "\""));
        c.add(del.replace("\"actor\":\"t\"", "\"actor\":\"" + "\uD83D\uDE00".repeat(200) + "\""));
        c.add(del.replace("\"actor\":\"t\",", ""));
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":0,"));
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":null,"));
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":-1,"));
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":1.5,"));
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":\"3\","));
        c.add(del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"trace\":\"x\","));
        c.add(del.replace(ID, ID.toUpperCase()));
        c.add(del.replace(ID, ID.replace("-", "")));
        c.add(del.replace("\"payload\":{}", "\"payload\":null"));
        c.add(del.replace("\"payload\":{}", "\"payload\":[]"));
        c.add(env("agent.explode", "{}"));
        c.add(env("agent.delete", "{\"x\":1}"));
        c.add(env("prd.delete", "{}"));
        c.add(env("prd.delete", "{\"x\":1}"));
        // agent.create
        c.add(env("agent.create", "{" + AGENT + "}"));
        c.add(env("agent.create", "{\"slug\":\"a\",\"name\":\"n\"}"));
        c.add(env("agent.create", "{" + AGENT.replace("\"a\"", "\"-a\"") + "}"));
        c.add(env("agent.create", "{" + AGENT.replace("\"a\"", "\"A\"") + "}"));
        c.add(env("agent.create", "{" + AGENT.replace("\"a\"", "\"a" + "b".repeat(99) + "\"") + "}"));
        c.add(env("agent.create", "{" + AGENT.replace("\"a\"", "\"a" + "b".repeat(100) + "\"") + "}"));
        c.add(env("agent.create", "{" + AGENT.replace("\"a\"", "\"ab\\n\"") + "}"));
        c.add(env("agent.create", "{" + AGENT.replace("\"n\"", "\"\"") + "}"));
        c.add(env("agent.create", "{" + AGENT.replace("\"k\"", "\"" + "k".repeat(101) + "\"") + "}"));
        c.add(env("agent.create", "{" + AGENT + ",\"status\":\"paused\"}"));
        c.add(env("agent.create", "{" + AGENT + ",\"status\":\"sleeping\"}"));
        c.add(env("agent.create", "{" + AGENT + ",\"status\":null}"));
        c.add(env("agent.create", "{" + AGENT + ",\"config\":null,\"state\":null,\"metadata\":null}"));
        c.add(env("agent.create", "{" + AGENT + ",\"config\":[]}"));
        c.add(env("agent.create", "{" + AGENT + ",\"version\":1}"));
        // agent.update
        c.add(env("agent.update", "{}"));
        c.add(env("agent.update", "{\"name\":\"m\",\"status\":\"retired\",\"config\":{\"a\":null},\"metadata\":{}}"));
        c.add(env("agent.update", "{\"name\":null}"));
        c.add(env("agent.update", "{\"status\":null}"));
        c.add(env("agent.update", "{\"config\":null}"));
        c.add(env("agent.update", "{\"metadata\":null}"));
        c.add(env("agent.update", "{\"state\":{}}"));
        c.add(env("agent.update", "{\"kind\":\"k\"}"));
        // agent.state.put
        c.add(env("agent.state.put", "{\"state\":{}}"));
        c.add(env("agent.state.put", "{}"));
        c.add(env("agent.state.put", "{\"state\":null}"));
        c.add(env("agent.state.put", "{\"state\":\"s\"}"));
        // agent.history.append
        c.add(env("agent.history.append", "{\"kind\":\"learning\",\"entry\":{}}"));
        c.add(env("agent.history.append", "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":\"2026-01-01T00:00:00.5Z\"}"));
        c.add(env("agent.history.append", "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":null}"));
        c.add(env("agent.history.append", "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":\"2026-01-01t00:00:00.123456789+05:45\"}"));
        c.add(del.replace("2026-01-01T00:00:00Z", "1969-12-31T23:59:59-00:00"));
        c.add(del.replace("2026-01-01T00:00:00Z", "2016-12-31T23:59:60Z"));
        c.add(env("agent.history.append", "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":5}"));
        c.add(env("agent.history.append", "{\"kind\":\"insight\",\"entry\":{}}"));
        c.add(env("agent.history.append", "{\"kind\":\"learning\"}"));
        c.add(env("agent.history.append", "{\"kind\":\"learning\",\"entry\":[]}"));
        // prd.create
        c.add(env("prd.create", "{" + PRD + "}"));
        c.add(env("prd.create", "{" + PRD + ",\"body\":\"b\",\"status\":\"review\",\"metadata\":{},\"owner\":\"o\"}"));
        c.add(env("prd.create", "{" + PRD + ",\"owner\":null}"));
        c.add(env("prd.create", "{" + PRD + ",\"owner\":\"\"}"));
        c.add(env("prd.create", "{" + PRD + ",\"body\":null}"));
        c.add(env("prd.create", "{" + PRD + ",\"status\":null}"));
        c.add(env("prd.create", "{" + PRD + ",\"metadata\":null}"));
        c.add(env("prd.create", "{" + PRD + ",\"status\":\"shipped\"}"));
        c.add(env("prd.create", "{" + PRD.replace("\"t\"", "\"" + "t".repeat(301) + "\"") + "}"));
        c.add(env("prd.create", "{\"slug\":\"p\"}"));
        // prd.update
        c.add(env("prd.update", "{}"));
        c.add(env("prd.update", "{\"title\":\"t\",\"body\":\"\",\"status\":\"archived\",\"metadata\":{\"a\":null},\"owner\":null}"));
        c.add(env("prd.update", "{\"title\":null}"));
        c.add(env("prd.update", "{\"body\":null}"));
        c.add(env("prd.update", "{\"status\":null}"));
        c.add(env("prd.update", "{\"metadata\":null}"));
        c.add(env("prd.update", "{\"owner\":\"\"}"));
        c.add(env("prd.update", "{\"slug\":\"q\"}"));
        // links
        c.add(env("prd.link-agent", "{\"agentId\":\"" + ID + "\"}"));
        c.add(env("prd.link-agent", "{\"agentId\":\"" + ID + "\",\"role\":\"reviewer\"}"));
        c.add(env("prd.link-agent", "{\"agentId\":\"" + ID + "\",\"role\":null}"));
        c.add(env("prd.link-agent", "{\"agentId\":\"" + ID + "\",\"role\":\"\"}"));
        c.add(env("prd.link-agent", "{\"agentId\":\"x\"}"));
        c.add(env("prd.link-agent", "{}"));
        c.add(env("prd.unlink-agent", "{\"agentId\":\"" + ID + "\"}"));
        c.add(env("prd.unlink-agent", "{\"agentId\":\"" + ID + "\",\"role\":\"r\"}"));
        return c;
    }

    @Test
    void theSchemaAndTheCodecGiveEveryRecordTheSameVerdict() throws IOException {
        SchemaCheck schema = SchemaCheck.load("envelope.v1.json");
        List<String> disagreements = new ArrayList<>();
        for (String json : cases()) {
            boolean bySchema = schema.valid(WriteCodec.MAPPER.readTree(json));
            boolean byCodec = decodes(json);
            if (bySchema != byCodec) {
                disagreements.add((bySchema ? "schema accepts, codec refuses: " : "codec accepts, schema refuses: ")
                        + json);
            }
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void everyJsonExampleInTheReadmeIsValidByItsSchema() throws IOException {
        SchemaCheck envelope = SchemaCheck.load("envelope.v1.json");
        SchemaCheck outcome = SchemaCheck.load("write-outcome.v1.json");
        Matcher m = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(Files.readString(Path.of("README.md")));
        int envelopes = 0;
        int outcomes = 0;
        while (m.find()) {
            JsonNode example = WriteCodec.MAPPER.readTree(m.group(1));
            if (example.has("schemaVersion")) {
                assertThat(envelope.valid(example)).as(m.group(1)).isTrue();
                envelopes++;
            } else {
                assertThat(outcome.valid(example)).as(m.group(1)).isTrue();
                outcomes++;
            }
        }
        assertThat(envelopes).isEqualTo(CommandType.values().length);
        assertThat(outcomes).isEqualTo(1);
    }

    @Test
    void outcomesAsTheWorkerPublishesThemAreValidByTheOutcomeSchema() throws IOException {
        SchemaCheck schema = SchemaCheck.load("write-outcome.v1.json");
        UUID event = UUID.randomUUID();
        UUID entity = UUID.randomUUID();
        java.time.Instant at = java.time.Instant.parse("2026-11-27T10:16:00.120Z");
        for (WriteOutcome o : List.of(
                new WriteOutcome(event, "agent", entity, "agent.update", WriteOutcome.Status.APPLIED, 2L, null, null, at),
                new WriteOutcome(event, "prd", entity, "prd.update", WriteOutcome.Status.CONFLICT, 3L, null, "expected 1", at),
                new WriteOutcome(event, "prd", entity, "prd.link-agent", WriteOutcome.Status.REJECTED, null, null, "unknown agent", at),
                new WriteOutcome(event, "agent", entity, "agent.update", WriteOutcome.Status.DUPLICATE, 2L,
                        WriteOutcome.Status.APPLIED, null, at),
                new WriteOutcome(event, "agent", entity, "agent.update", WriteOutcome.Status.DUPLICATE, null,
                        WriteOutcome.Status.REJECTED, null, at))) {
            JsonNode json = WriteCodec.MAPPER.readTree(codec.encodeOutcome(o));
            assertThat(schema.valid(json)).as(json.toString()).isTrue();
        }
    }

    /**
     * Records the schema accepts and the codec refuses, on purpose; the README names each. Should the codec start
     * accepting one, move it to {@link #cases()}.
     */
    @Test
    void theDivergencesTheReadmeDocumentsAreStillTheOnlyOnesKnown() throws IOException {
        SchemaCheck schema = SchemaCheck.load("envelope.v1.json");
        String del = env("agent.delete", "{}");
        for (String json : List.of(
                // an integer written as 1.0 equals 1 to JSON Schema; no JSON encoder writes an int that way
                del.replace("\"schemaVersion\":1", "\"schemaVersion\":1.0"),
                del.replace("\"actor\":\"t\",", "\"actor\":\"t\",\"expectedVersion\":2.0,"),
                // half a surrogate pair is no character: PostgreSQL would store it as '?'
                del.replace("\"actor\":\"t\"", "\"actor\":\"\\ud800\""),
                // format is an annotation in 2020-12; the codec asserts RFC 3339's date-time
                del.replace("2026-01-01T00:00:00Z", "yesterday"),
                del.replace("2026-01-01T00:00:00Z", "2026-01-01T24:00:00Z"),
                del.replace("2026-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"),
                // RFC 3339 date-times whose offset moves them out of the years 0001 to 9999, and the year 0
                del.replace("2026-01-01T00:00:00Z", "9999-12-31T23:30:00-01:00"),
                del.replace("2026-01-01T00:00:00Z", "0000-03-01T00:00:00Z"),
                env("agent.history.append", "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":\"2026-01-01T00:00:00.Z\"}"),
                env("agent.history.append",
                        "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":\"2026-01-01T00:00:00+01:00:30\"}"),
                // stored at microseconds: the last half microsecond of 9999 would be the year 10000
                env("agent.history.append",
                        "{\"kind\":\"learning\",\"entry\":{},\"recordedAt\":\"9999-12-31T23:59:59.9999995Z\"}"),
                // JSON Schema cannot bound nesting; the gateway could not write a page holding such a value
                env("agent.state.put", "{\"state\":{\"a\":" + "[".repeat(WriteCodec.MAX_NESTING_DEPTH)
                        + "]".repeat(WriteCodec.MAX_NESTING_DEPTH) + "}}"))) {
            assertThat(schema.valid(WriteCodec.MAPPER.readTree(json))).as(json).isTrue();
            assertThat(decodes(json)).as(json).isFalse();
        }
    }

    private boolean decodes(String json) {
        try {
            codec.decode(json.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (InvalidWriteException e) {
            return false;
        }
    }
}
