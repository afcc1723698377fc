package dev.agentfactory.bench.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One non-blocking HTTP/1.1 keep-alive connection of the load generator carrying one request at a time
 * (no pipelining, as browsers and proxies do): the request written, the response read until it is complete.
 */
final class KeepAliveConnection {

    private final SocketChannel channel;
    private final SelectionKey key;
    private final HttpResponseReader reader = new HttpResponseReader();
    private ByteBuffer out;
    /** The request in flight: its index in the run and when it was due (-1 when idle). */
    int slot = -1;
    long due;

    KeepAliveConnection(Selector selector, InetSocketAddress server) throws IOException {
        channel = SocketChannel.open(server);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        // Read interest even while idle, so a connection the server closes is noticed and dropped.
        key = channel.register(selector, SelectionKey.OP_READ, this);
    }

    /** Starts sending {@code request}; the rest is written when the socket accepts it. */
    void send(ByteBuffer request, int slot, long due) throws IOException {
        this.slot = slot;
        this.due = due;
        reader.reset();
        out = request.duplicate();
        channel.write(out);
        if (out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    void writable() throws IOException {
        channel.write(out);
        if (!out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /**
     * Reads what arrived: the response's status once it is complete, 0 while it is not, -1 when the
     * server closed the connection (with a request in flight, that request failed).
     */
    int readable(ByteBuffer scratch) throws IOException {
        int status = 0;
        int n;
        while ((n = channel.read(scratch.clear())) > 0) {
            if (reader.feed(scratch.flip())) {
                status = reader.status();
            }
        }
        return status > 0 ? status : n < 0 ? -1 : 0;
    }

    boolean reusable() {
        return !reader.closeAfter() && channel.isOpen();
    }

    void close() {
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            // closing a loopback socket of the load generator: nothing to do about a failure
        }
    }
}
