package dev.agentfactory.bench.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import dev.agentfactory.bench.Figures;
import dev.agentfactory.bench.Samples;
import dev.agentfactory.bench.Verdict;

/**
 * An open-loop load generator (the wrk2 model): request i is due at {@code start + i/rate} whatever the
 * server does, and its latency is measured from that due time to the last byte of its response, so time
 * a request spends waiting for a free connection or for a stalled server counts (no coordinated omission).
 * One thread paces the due times; one NIO event loop sends them over at most {@link #MAX_CONNECTIONS} (or as many as given)
 * HTTP/1.1 keep-alive connections and reads the answers. It replaced {@code java.net.http}, whose
 * per-request work (futures, executor hops, a thread pool) cost about as much CPU as the gateway's own on
 * a 2-core host and showed up in every percentile, including the no-op peer's. A request unanswered
 * {@link #DRAIN} after the last one was due, or answered with another status, counts as an error, and in every
 * percentile as slower than any answer.
 */
final class OpenLoopLoad implements AutoCloseable {

    static final int MAX_CONNECTIONS = 64;
    static final long DRAIN = TimeUnit.SECONDS.toNanos(30);

    /**
     * One run: the latencies of the requests answered with the expected status, in nanoseconds, and how many
     * requests failed (another status, no answer by the deadline, or no connection). Percentiles and the mean are
     * over every request sent, a failed one ranking above every answer (+infinity): a run that drops its slowest
     * requests does not look faster for it.
     */
    record Result(String name, int rate, long[] latencies, int errors, double seconds) {

        /** The requests of the run: answered and failed. */
        int requests() {
            return latencies.length + errors;
        }

        /** The p-th percentile (0..100) in ms over every request; +infinity when it falls on a failed one. */
        double percentileMs(double p) {
            return Samples.percentile(latencies, requests(), p) / 1_000_000.0;
        }

        /** The mean in ms over every request; +infinity when any failed. */
        double meanMs() {
            return Samples.mean(latencies, requests()) / 1_000_000.0;
        }

        /** {@code value} at most {@code target}, failed by any error or missing answer in {@code runs}. */
        static Verdict atMost(List<Result> runs, double value, double target) {
            long errors = runs.stream().mapToLong(Result::errors).sum();
            long requests = runs.stream().mapToLong(Result::requests).sum();
            return Verdict.atMost(value, target, errors, requests, Math.max(1, requests));
        }

        /** Requests answered with the expected status per second of the run. */
        double achievedRate() {
            return latencies.length / seconds;
        }

        /** How the run went in a figure's name: {@code _<rate>rps_}, or {@code _serial_} for one at a time. */
        String rateLabel() {
            return rate > 0 ? "_" + rate + "rps_" : "_serial_";
        }

        /**
         * The answer-time figures of a write scenario under {@code prefix}: mean, p50, p99, max (each over every
         * request, a failed one as +infinity), the rate achieved, and the errors (an unexpected status, or no answer).
         */
        void putAnswerTimes(Figures figures, String prefix) {
            figures.put(prefix + "mean_ms", meanMs(), "ms");
            figures.put(prefix + "p50_ms", percentileMs(50), "ms");
            figures.put(prefix + "p99_ms", percentileMs(99), "ms");
            figures.put(prefix + "max_ms", percentileMs(100), "ms");
            figures.put(prefix + "achieved_per_s", achievedRate(), "1/s");
            figures.put(prefix + "errors", errors, "count");
        }
    }

    private final InetSocketAddress server;
    private final int maxConnections;
    private final String headers;
    private final Selector selector;
    private final ArrayDeque<KeepAliveConnection> idle = new ArrayDeque<>();
    private final List<KeepAliveConnection> busy = new ArrayList<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);

    OpenLoopLoad(String host, int port, String token) throws IOException {
        this(host, port, token, MAX_CONNECTIONS);
    }

    /**
     * With room for {@code maxConnections} requests in flight: a request the server holds for seconds (a
     * write waiting for its outcome) keeps its connection that long, as a browser's would.
     */
    OpenLoopLoad(String host, int port, String token, int maxConnections) throws IOException {
        this.server = new InetSocketAddress(host, port);
        this.maxConnections = maxConnections;
        this.headers = " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nAccept: application/json\r\n";
        this.selector = Selector.open();
    }

    /** A request with a JSON body; {@code extraHeaders} are whole header lines, each ending in CRLF. */
    byte[] request(String method, String path, String extraHeaders, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = (method + " " + path + headers + extraHeaders + "Content-Length: " + content.length
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(head, head.length + content.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        return all;
    }

    private byte[] get(String path) {
        return ("GET " + path + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * One request at a time (closed loop): the service time of a path without queueing, which on a busy
     * shared host separates the gateway's own cost from waiting for a CPU.
     */
    Result serial(String name, int count, IntFunction<String> path) {
        return execute(name, 0, count, i -> get(path.apply(i)), 200, null);
    }

    /** As {@link #serial}, of requests {@code request} gives the bytes of. */
    Result serialRequests(String name, int count, IntFunction<byte[]> request, int expectedStatus) {
        return execute(name, 0, count, request, expectedStatus, null);
    }

    /** Sends {@code count} GETs at {@code rate} per second; {@code path} gives the i-th request's path. */
    Result run(String name, int rate, int count, IntFunction<String> path, int expectedStatus) {
        return send(name, rate, count, i -> get(path.apply(i)), expectedStatus);
    }

    /** Sends {@code count} requests at {@code rate} per second; {@code request} gives the i-th one's bytes. */
    Result send(String name, int rate, int count, IntFunction<byte[]> request, int expectedStatus) {
        long period = 1_000_000_000L / rate;
        AtomicInteger released = new AtomicInteger();
        long start = System.nanoTime();
        Thread pacer = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                long due = start + i * period;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(Math.min(due - now, 100_000));
                }
                released.set(i + 1);
                selector.wakeup();
            }
        }, "load-pacer");
        pacer.setDaemon(true);
        pacer.start();
        Result r = execute(name, rate, count, request, expectedStatus, new Pace(start, period, released));
        pacer.interrupt();
        return r;
    }

    /** When each request of an open-loop run is due, and how many are due by now. */
    private record Pace(long start, long period, AtomicInteger released) {
    }

    private Result execute(String name, int rate, int count, IntFunction<byte[]> request, int expected, Pace pace) {
        long[] latencies = new long[count];
        Arrays.fill(latencies, -1);
        int sent = 0;
        int done = 0;
        long start = pace == null ? System.nanoTime() : pace.start();
        long deadline = start + (pace == null ? 0 : count * pace.period()) + DRAIN;
        try {
            while (done < count && System.nanoTime() < deadline) {
                int due = pace == null ? (done == sent ? sent + 1 : sent) : pace.released().get();
                while (sent < Math.min(due, count) && (!idle.isEmpty() || busy.size() < maxConnections)) {
                    long dueAt = pace == null ? System.nanoTime() : start + sent * pace.period();
                    if (!dispatch(ByteBuffer.wrap(request.apply(sent)), sent, dueAt)) {
                        done++;
                    }
                    sent++;
                }
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) {
                    done += handle(key, latencies, expected);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // answers still missing at the deadline are errors; their connections carry nothing reusable
        busy.forEach(KeepAliveConnection::close);
        busy.clear();
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).toArray();
        return new Result(name, rate, ok, count - ok.length, seconds);
    }

    /** False when the request could not be sent (it failed at once). */
    private boolean dispatch(ByteBuffer request, int slot, long due) {
        KeepAliveConnection c = idle.poll();
        try {
            if (c == null) {
                c = new KeepAliveConnection(selector, server);
            }
            busy.add(c);
            c.send(request, slot, due);
            return true;
        } catch (IOException e) {
            if (c != null) {
                busy.remove(c);
                c.close();
            }
            return false;
        }
    }

    /** Handles one ready connection; 1 when a request finished (answered or failed), else 0. */
    private int handle(SelectionKey key, long[] latencies, int expected) {
        KeepAliveConnection c = (KeepAliveConnection) key.attachment();
        int slot = c.slot;
        int status;
        try {
            if (key.isValid() && key.isWritable()) {
                c.writable();
            }
            status = key.isValid() && key.isReadable() ? c.readable(scratch) : 0;
        } catch (IOException e) {
            status = -1;
        }
        if (status == 0) {
            return 0;
        }
        long now = System.nanoTime();
        busy.remove(c);
        idle.remove(c);
        c.slot = -1;
        if (status > 0 && slot >= 0 && status == expected) {
            latencies[slot] = now - c.due;
        }
        if (status > 0 && c.reusable()) {
            idle.push(c);
        } else {
            c.close();
        }
        return slot >= 0 ? 1 : 0;
    }

    @Override
    public void close() throws IOException {
        idle.forEach(KeepAliveConnection::close);
        busy.forEach(KeepAliveConnection::close);
        selector.close();
    }
}
