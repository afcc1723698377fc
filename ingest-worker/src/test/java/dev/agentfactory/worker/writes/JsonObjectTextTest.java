package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class JsonObjectTextTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Test
    void writesWhatJacksonWritesForTheSameFieldsIncludingEscapes() {
        String hostile = "quote \" backslash \\ tab \t newline \n nul \u0000 é 漢字 </script>";
        Instant at = Instant.parse("2026-11-27T03:53:46.123456Z");
        String text = new JsonObjectText().string("name", hostile).string("plain", "agent-1").string("none", null)
                .number("version", 42).instant("at", at).instant("gone", null).raw("config", "{\"a\":[1,2]}").close();

        ObjectNode expected = MAPPER.createObjectNode().put("name", hostile).put("plain", "agent-1")
                .putNull("none").put("version", 42).put("at", at.toString()).putNull("gone");
        expected.set("config", MAPPER.readTree("{\"a\":[1,2]}"));
        assertThat(text).isEqualTo(MAPPER.writeValueAsString(expected));
        assertThat(MAPPER.readTree(text)).isEqualTo(expected);
    }

    @Test
    void anEmptyObjectIsBraces() {
        assertThat(new JsonObjectText().close()).isEqualTo("{}");
    }
}
