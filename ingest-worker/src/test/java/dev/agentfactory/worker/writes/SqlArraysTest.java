package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class SqlArraysTest {

    private static String element(Object value) {
        StringBuilder out = new StringBuilder();
        SqlArrays.appendElement(out, value);
        return out.toString();
    }

    @Test
    void nullIsTheUnquotedNullKeywordWhileTheStringNullStaysAString() {
        assertThat(element(null)).isEqualTo("NULL");
        assertThat(element("NULL")).isEqualTo("\"NULL\"");
    }

    @Test
    void quotesAndBackslashesAreEscapedSoJsonStaysOneElement() {
        assertThat(element("{\"a\":\"b\\\\c\"}, x")).isEqualTo("\"{\\\"a\\\":\\\"b\\\\\\\\c\\\"}, x\"");
        assertThat(element("")).isEqualTo("\"\"");
    }

    @Test
    void numbersAndUuidsAreBareAndInstantsUseTheirIsoText() {
        UUID id = new UUID(1, 2);
        assertThat(element(id)).isEqualTo(id.toString());
        assertThat(element(7L)).isEqualTo("7");
        assertThat(element(Instant.parse("2026-01-02T03:04:05.678Z"))).isEqualTo("\"2026-01-02T03:04:05.678Z\"");
    }
}
