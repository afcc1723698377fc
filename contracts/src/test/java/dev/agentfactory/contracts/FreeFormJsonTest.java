package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.InvalidWriteException.Reason;
import tools.jackson.databind.JsonNode;

/** The free-form objects of commands (config, state, metadata, history entries) as the codec checks them. */
class FreeFormJsonTest {

    private final WriteCodec codec = new WriteCodec();

    @Test
    void aNumberWithMoreDigitsWrittenOutThanAReaderTakesIsAViolationNotARowNobodyCanLoad() {
        // jsonb prints numbers without an exponent: 1e1000 comes back as 1,001 digits
        assertViolation("{\"state\":{\"x\":1e1000}}", "1001 digits");
        assertViolation("{\"state\":{\"x\":[1,{\"y\":-1e-1000}]}}", "1001 digits");
        assertViolation("{\"state\":{\"x\":1e999999999}}", "digits");
        // at the limit, whatever the sign: what is accepted, the mapper reads back as jsonb prints it
        for (String n : new String[] {"1e999", "-1e999", "-1e-999", "1.5e-998"}) {
            JsonNode x = state("{\"state\":{\"x\":" + n + "}}").get("x");
            String stored = x.decimalValue().toPlainString();
            assertThat(WriteCodec.MAPPER.readTree(stored).decimalValue()).as(n).isEqualByComparingTo(x.decimalValue());
        }
    }

    @Test
    void numbersWrittenOutMayNotGrowARecordPastItsLimit() {
        for (String n : new String[] {"1e999", "1e-999"}) {
            String many = "[" + String.join(",", java.util.Collections.nCopies(1_200, n)) + "]";
            assertThatThrownBy(() -> codec.decode(envelope("{\"state\":{\"x\":" + many + "}}")
                    .getBytes(StandardCharsets.UTF_8))).as(n).isInstanceOfSatisfying(InvalidWriteException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.OVERSIZED));
        }
        // fractions as JSON writes them add nothing: a record near its limit full of them is fine
        String fractions = "[" + String.join(",", java.util.Collections.nCopies(100_000, "0.123")) + "]";
        assertThat(new WriteCodec(610_000).decode(envelope("{\"state\":{\"x\":" + fractions + "}}")
                .getBytes(StandardCharsets.UTF_8)).command()).isInstanceOf(WriteCommand.AgentStatePut.class);
        // a realistic handful of large values is fine
        String some = "[" + String.join(",", java.util.Collections.nCopies(1_000, "6.02e23")) + "]";
        assertThat(state("{\"state\":{\"x\":" + some + "}}").get("x").get(999).bigIntegerValue())
                .isEqualTo(new java.math.BigInteger("602000000000000000000000"));
    }

    @Test
    void numbersStoredAsTheyWereSentAddNothingTowardTheLimitHoweverManyTheRecordHolds() {
        // about 950 KB of 0.05, under the 1,100,000-byte limit: stored exactly as sent
        String state = "{\"state\":{\"x\":[" + String.join(",", java.util.Collections.nCopies(190_000, "0.05")) + "]}}";
        byte[] record = envelope(state).getBytes(StandardCharsets.UTF_8);
        assertThat(record.length).isBetween(900_000, WriteCodec.DEFAULT_MAX_BYTES);
        WriteCommand.AgentStatePut put = (WriteCommand.AgentStatePut) codec.decode(record).command();
        assertThat(put.state().get("x").get(189_999).decimalValue()).isEqualByComparingTo("0.05");
        // the same value, spelled so that writing it out adds 2 characters each: 0.0001 fits, 1e-4 does not
        WriteCodec small = new WriteCodec(600_000);
        String spelledOut = "[" + String.join(",", java.util.Collections.nCopies(80_000, "0.0001")) + "]";
        assertThat(small.decode(envelope("{\"state\":{\"x\":" + spelledOut + "}}").getBytes(StandardCharsets.UTF_8))
                .command()).isInstanceOf(WriteCommand.AgentStatePut.class);
        String exponents = "[" + String.join(",", java.util.Collections.nCopies(100_000, "1e-4")) + "]";
        assertThatThrownBy(() -> small.decode(envelope("{\"state\":{\"x\":" + exponents + "}}")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(InvalidWriteException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.OVERSIZED));
        // numbers that grow, among many that do not, still count: 400 × 1e999 add 398,000 characters
        String mixed = "[" + String.join(",", java.util.Collections.nCopies(150_000, "0.05")) + ","
                + String.join(",", java.util.Collections.nCopies(400, "1e999")) + "]";
        assertThatThrownBy(() -> codec.decode(envelope("{\"state\":{\"x\":" + mixed + "}}")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(InvalidWriteException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.OVERSIZED));
    }

    @Test
    void numbersTakeTheFormJsonbGivesThemBackSoAnUnchangedValueComparesEqual() {
        // what the worker holds after loading the row: the mapper's reading of jsonb's text
        assertThat(state("{\"state\":{\"t\":1e2,\"u\":1.5e1,\"v\":1.0E2}}"))
                .isEqualTo(WriteCodec.MAPPER.readTree("{\"t\":100,\"u\":15,\"v\":100}"));
        assertThat(state("{\"state\":{\"big\":1e30,\"long\":1e12}}"))
                .isEqualTo(WriteCodec.MAPPER.readTree(
                        "{\"big\":1000000000000000000000000000000,\"long\":1000000000000}"));
        // a fraction keeps its digits, trailing zeros included, as jsonb keeps them
        assertThat(state("{\"state\":{\"f\":1.50,\"g\":1.5e-1}}"))
                .isEqualTo(WriteCodec.MAPPER.readTree("{\"f\":1.50,\"g\":0.15}"));
        assertThat(state("{\"state\":{\"f\":1.50}}").get("f").decimalValue().scale()).isEqualTo(2);
    }

    @Test
    void zeroWithAPositiveExponentIsTheOneDigitJsonbStores() {
        assertThat(state("{\"state\":{\"a\":0e1000,\"b\":-0e999999999,\"c\":0.0e5,\"d\":0E+2}}"))
                .isEqualTo(WriteCodec.MAPPER.readTree("{\"a\":0,\"b\":0,\"c\":0,\"d\":0}"));
        // nor do they count as digits written out against the record's limit
        String many = "[" + String.join(",", java.util.Collections.nCopies(1_200, "0e999")) + "]";
        assertThat(state("{\"state\":{\"x\":" + many + "}}").get("x").get(1_199).intValue()).isZero();
        // a zero with a fraction keeps its digits, as jsonb does (0e-3 is stored as 0.000)
        assertThat(state("{\"state\":{\"f\":0e-3}}").get("f").decimalValue().scale()).isEqualTo(3);
    }

    @Test
    void aValueNestedDeeperThanTheDocumentedLimitIsAViolationSoNoPageShowingItFailsToSerialize() {
        // 100 levels counting state itself: accepted, objects and arrays alike
        assertThat(depth(state(nested(100, "{\"k\":", "}")))).isEqualTo(100);
        assertThat(depth(state(nested(100, "{\"k\":[", "]}")))).isEqualTo(100);
        assertViolation(nested(101, "{\"k\":", "}"), "more than 100 objects and arrays deep");
        assertViolation(nested(101, "{\"k\":[", "]}"), "more than 100 objects and arrays deep");
        // what Jackson's reader still took before the limit (about 497 levels inside the envelope)
        assertViolation(nested(490, "{\"k\":", "}"), "more than 100 objects and arrays deep");
        // the same rule for every free-form field, a history entry's included
        assertThatThrownBy(() -> codec.decode(("{\"eventId\":\"" + UUID.randomUUID()
                + "\",\"type\":\"agent.history.append\",\"entityId\":\"" + UUID.randomUUID()
                + "\",\"actor\":\"t\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"schemaVersion\":1,"
                + "\"payload\":{\"kind\":\"learning\",\"entry\":" + nested(101, "{\"k\":", "}").substring(9) + "}")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(InvalidWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.SCHEMA_VIOLATION);
                    assertThat(e.getMessage()).startsWith("entry nests more than 100");
                });
    }

    /** A payload {@code {"state":...}} whose state nests {@code levels} deep, each level opened by {@code open}. */
    private static String nested(int levels, String open, String close) {
        // open/close make one level ({"k": ... }) or two ({"k":[ ... ]}); the innermost level is an empty object
        int per = open.endsWith("[") ? 2 : 1;
        int pairs = (levels - 1) / per;
        String inner = (levels - 1) % per == 1 ? "{\"k\":{}}" : "{}";
        return "{\"state\":" + open.repeat(pairs) + inner + close.repeat(pairs) + "}";
    }

    private static int depth(JsonNode v) {
        int deepest = 0;
        for (JsonNode child : v.values()) {
            deepest = Math.max(deepest, depth(child));
        }
        return v.isContainer() ? deepest + 1 : 0;
    }

    @Test
    void halfASurrogatePairAnywhereInAFreeFormObjectIsAViolationNotAStoredQuestionMark() {
        assertViolation("{\"state\":{\"k\":\"\\ud800\"}}", "unpaired surrogate");
        assertViolation("{\"state\":{\"k\":[{\"deep\":\"v\\udc00\\ud800\"}]}}", "unpaired surrogate");
        // in a property name the byte parser refuses it first
        byte[] inAName = envelope("{\"state\":{\"k\\udc00\":1}}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decode(inAName)).isInstanceOf(InvalidWriteException.class);
        assertThat(state("{\"state\":{\"k\":\"\\ud83d\\ude00\"}}").get("k").stringValue()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void aMessageQuotingALargeBadValueIsCutSoItsDeadLetterStaysSendable() {
        String huge = "x".repeat(600_000);
        String json = "{\"eventId\":\"" + huge + "\",\"type\":\"agent.delete\",\"entityId\":\"" + UUID.randomUUID()
                + "\",\"actor\":\"t\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"schemaVersion\":1,\"payload\":{}}";
        assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_ID);
                    assertThat(e.getMessage()).hasSize(InvalidWriteException.MAX_MESSAGE_CHARS)
                            .startsWith("eventId must be a UUID").endsWith("…[cut]");
                });
    }

    private JsonNode state(String payload) {
        WriteCommand c = codec.decode(envelope(payload).getBytes(StandardCharsets.UTF_8)).command();
        return ((WriteCommand.AgentStatePut) c).state();
    }

    private void assertViolation(String payload, String message) {
        assertThatThrownBy(() -> codec.decode(envelope(payload).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.SCHEMA_VIOLATION);
                    assertThat(e.getMessage()).contains("state").contains(message);
                });
    }

    private static String envelope(String payload) {
        return "{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"agent.state.put\",\"entityId\":\""
                + UUID.randomUUID() + "\",\"actor\":\"t\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"schemaVersion\":1,"
                + "\"payload\":" + payload + "}";
    }
}
