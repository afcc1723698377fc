package dev.agentfactory.store.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.Test;

class PgTextTest {

    @Test
    void arrayElementsAreQuotedWithBackslashAndDoubleQuoteEscaped() {
        List<Object> values = Arrays.asList("a", "b \"c\"", "back\\slash", "x,{y}", "NULL", "");
        assertThat(PgText.arrayLiteral(values, Objects::toString))
                .isEqualTo("{\"a\",\"b \\\"c\\\"\",\"back\\\\slash\",\"x,{y}\",\"NULL\",\"\"}");
    }

    @Test
    void nullElementsAreTheUnquotedWordNull() {
        assertThat(PgText.arrayLiteral(Arrays.asList(1, null, 3), Objects::toString)).isEqualTo("{\"1\",NULL,\"3\"}");
    }

    @Test
    void nestedListsAreInnerDimensions() {
        assertThat(PgText.arrayLiteral(List.of(List.of(1, 2), List.of(3, 4)), Objects::toString))
                .isEqualTo("{{\"1\",\"2\"},{\"3\",\"4\"}}");
        assertThat(PgText.arrayLiteral(List.of(), Objects::toString)).isEqualTo("{}");
    }

    @Test
    void elementsTakeTheirTextFromTheGivenFunction() {
        assertThat(PgText.arrayLiteral(List.of(ByteBuffer.wrap(new byte[] {1})), v -> PgText.bytea((ByteBuffer) v)))
                .isEqualTo("{\"\\\\x01\"}");
    }

    @Test
    void byteaIsHexOfTheBufferRemainderAndLeavesItsPosition() {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {0x00, (byte) 0xde, (byte) 0xad, 0x0f, 0x7f});
        buffer.position(1);
        buffer.limit(4);
        assertThat(PgText.bytea(buffer)).isEqualTo("\\xdead0f");
        assertThat(buffer.position()).isEqualTo(1);
        assertThat(buffer.remaining()).isEqualTo(3);
    }

    @Test
    void byteArrayIsHex() {
        assertThat(PgText.bytea(new byte[] {(byte) 0xff, 0x00})).isEqualTo("\\xff00");
        assertThat(PgText.bytea(new byte[0])).isEqualTo("\\x");
    }
}
