package dev.agentfactory.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HttpResponseReaderTest {

    private static final String CHUNKED = "HTTP/1.1 200 \r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + "a\r\n{\"items\":[\r\n" + "3;ext=1\r\n1]}\r\n" + "0\r\n\r\n";
    private static final String SIZED = "HTTP/1.1 404 \r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

    @Test
    void aChunkedResponseEndsOnlyAfterTheLastChunkWhereverTheReadsSplitIt() {
        byte[] bytes = CHUNKED.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 1; split < bytes.length; split++) {
            HttpResponseReader r = new HttpResponseReader();
            assertThat(r.feed(ByteBuffer.wrap(bytes, 0, split))).as("complete after %d bytes", split).isFalse();
            assertThat(r.feed(ByteBuffer.wrap(bytes, split, bytes.length - split))).isTrue();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.closeAfter()).isFalse();
        }
    }

    @Test
    void aSizedResponseEndsAtItsContentLengthAndReportsConnectionClose() {
        HttpResponseReader r = new HttpResponseReader();
        byte[] bytes = SIZED.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(r.feed(ByteBuffer.wrap(bytes, 0, bytes.length - 1))).isFalse();
        assertThat(r.feed(ByteBuffer.wrap(bytes, bytes.length - 1, 1))).isTrue();
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.closeAfter()).isTrue();
    }

    @Test
    void aResetReaderTakesTheNextResponseOfTheConnection() {
        HttpResponseReader r = new HttpResponseReader();
        r.feed(ByteBuffer.wrap(SIZED.getBytes(StandardCharsets.ISO_8859_1)));
        r.reset();
        assertThat(r.feed(ByteBuffer.wrap(CHUNKED.getBytes(StandardCharsets.ISO_8859_1)))).isTrue();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.closeAfter()).isFalse();
    }
}
