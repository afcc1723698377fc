package dev.agentfactory.stack.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy whose open connections can be made half-open, as a network fault leaves them: from then on nothing
 * passes in either direction and neither end is told (no FIN, no RST), while connections opened afterwards pass
 * normally. Without a timeout of its own, a client waiting on such a connection waits for the kernel (about 15
 * minutes after data it sent, forever when it only waits to read); this lets a test show that it does not.
 */
public final class HalfOpenProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    /** Listens on a free loopback port and forwards each connection to {@code host:port}. */
    public HalfOpenProxy(String host, int port) throws IOException {
        this.target = new InetSocketAddress(host, port);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "half-open-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every connection open now goes silent for good: what either end sends is dropped, and neither is closed. */
    public void silenceOpenConnections() {
        links.forEach(l -> l.silent = true);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5_000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                Link link = new Link(client, upstream);
                links.add(link);
                link.pump(client, upstream, "up");
                link.pump(upstream, client, "down");
            } catch (IOException e) {
                // the server socket closed: the proxy is shutting down
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Link l : links) {
            l.close();
        }
    }

    private static final class Link {
        private final Socket client;
        private final Socket upstream;
        volatile boolean silent;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to, String direction) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16_384];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        if (!silent) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // one side failed: treated like its end of stream below
                }
                // A silent link keeps the other end open, as a vanished peer leaves it.
                if (!silent) {
                    close();
                }
            }, "half-open-proxy-" + direction);
            t.setDaemon(true);
            t.start();
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
