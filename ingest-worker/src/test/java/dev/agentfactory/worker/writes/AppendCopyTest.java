package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class AppendCopyTest {

    private static String field(Object value) {
        StringBuilder out = new StringBuilder();
        AppendCopy.appendField(out, value);
        return out.toString();
    }

    @Test
    void nullIsTheCopyNullMarkerNotAnEmptyString() {
        assertThat(field(null)).isEqualTo("\\N");
        assertThat(field("")).isEmpty();
    }

    @Test
    void delimitersAndBackslashesInJsonAreEscapedSoTheyStayInsideTheirField() {
        String json = "{\"a\":\"tab\there\\nline\",\"b\":\"x\ny\r\"}";
        assertThat(field(json)).isEqualTo("{\"a\":\"tab\\there\\\\nline\",\"b\":\"x\\ny\\r\"}")
                .doesNotContain("\t").doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void aLiteralBackslashNIsNotReadAsNull() {
        assertThat(field("\\N")).isEqualTo("\\\\N");
    }

    @Test
    void valuesUseTheirTextForm() {
        UUID id = new UUID(1, 2);
        assertThat(field(id)).isEqualTo(id.toString());
        assertThat(field(42L)).isEqualTo("42");
        assertThat(field(java.time.Instant.parse("2026-01-02T03:04:05.678Z"))).isEqualTo("2026-01-02T03:04:05.678Z");
    }
}
