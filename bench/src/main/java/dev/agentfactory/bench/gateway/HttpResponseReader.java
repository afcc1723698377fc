package dev.agentfactory.bench.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Finds where one HTTP/1.1 response ends in the bytes read from a keep-alive connection: the status
 * line, then a {@code Content-Length} body or a chunked one (Tomcat chunks bodies larger than its
 * buffer). The load generator needs only the status and the end; the body is skipped, not decoded.
 * Bytes are accumulated until the response is complete, so a response split across reads at any
 * position (inside a header, a chunk size or a CRLF) is handled the same way.
 */
final class HttpResponseReader {

    private byte[] buf = new byte[16 * 1024];
    private int len;
    private int status = -1;
    private boolean close;
    private int body = -1;
    private boolean chunked;
    private long contentLength;

    void reset() {
        len = 0;
        status = -1;
        close = false;
        body = -1;
    }

    /** Takes the bytes {@code in} holds; true once a whole response has arrived. */
    boolean feed(ByteBuffer in) {
        int n = in.remaining();
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        in.get(buf, len, n);
        len += n;
        return complete();
    }

    int status() {
        return status;
    }

    /** The server said {@code Connection: close}: the connection cannot carry another request. */
    boolean closeAfter() {
        return close;
    }

    private boolean complete() {
        if (body < 0 && !head()) {
            return false;
        }
        return chunked ? chunksComplete(body) : len - body >= contentLength;
    }

    private boolean head() {
        int headerEnd = indexOf(0, "\r\n\r\n");
        if (headerEnd < 0) {
            return false;
        }
        String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        status = Integer.parseInt(lines[0].substring(9, 12));
        contentLength = 0;
        chunked = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].toLowerCase(Locale.ROOT);
            if (line.startsWith("content-length:")) {
                contentLength = Long.parseLong(line.substring(15).trim());
            } else if (line.startsWith("transfer-encoding:")) {
                chunked = line.contains("chunked");
            } else if (line.startsWith("connection:")) {
                close = line.contains("close");
            }
        }
        body = headerEnd + 4;
        return true;
    }

    /** Walks {@code size CRLF data CRLF} chunks up to the last (size 0) and its trailer section. */
    private boolean chunksComplete(int from) {
        int pos = from;
        while (true) {
            int eol = indexOf(pos, "\r\n");
            if (eol < 0) {
                return false;
            }
            String size = new String(buf, pos, eol - pos, StandardCharsets.ISO_8859_1);
            int ext = size.indexOf(';');
            long n = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
            if (n == 0) {
                // the last chunk, then trailers (usually none) up to an empty line
                return indexOf(eol, "\r\n\r\n") >= 0;
            }
            pos = eol + 2 + (int) n + 2;
            if (pos > len) {
                return false;
            }
        }
    }

    private int indexOf(int from, String s) {
        outer:
        for (int i = from; i + s.length() <= len; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (buf[i + j] != s.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
