package dev.agentfactory.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Redis server on loopback: the machine's {@code redis-server} when there is one, otherwise
 * the Linux x86-64 binary packaged in the {@code embedded-redis} Maven artifact. Public for tests that need
 * a Redis of their own to crash and restart (the shared stack's must never be).
 */
public final class RedisServer {

    private static final String PACKAGED_BINARY = "/redis-server-6.2.6-v5-linux-amd64";

    private final Path dir;
    private final int port;

    public RedisServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public void ensureStarted() {
        if (Ports.isOpen(port)) {
            if (!"PONG".equals(command("PING"))) {
                throw new StackException("127.0.0.1:" + port + " is taken by something that is not Redis");
            }
            // Like PostgreSQL's clusters: only a Redis this stack started is used, not another checkout's left behind.
            if (dir != null && !startedHere()) {
                throw new StackException("127.0.0.1:" + port + " is taken by a Redis this stack did not start (process "
                        + serverPid() + "; " + dir.resolve("redis.pid") + " does not name it): another checkout's, "
                        + "left by its stopped stack? Stop it, or give this stack another FACTORY_STACK_REDIS_PORT");
            }
            return;
        }
        try {
            Files.createDirectories(dir);
            Path binary = binary();
            // Started detached (setsid) so it outlives a killed stack JVM exactly as PostgreSQL does;
            // `stop` finds it by its pid file.
            new ProcessBuilder(List.of("setsid", binary.toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--pidfile", dir.resolve("redis.pid").toString(),
                    "--logfile", dir.resolve("redis.log").toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile())
                    .start();
        } catch (IOException e) {
            throw new StackException("cannot start Redis: " + e.getMessage(), e);
        }
        Ports.awaitOpen(port, Duration.ofSeconds(20), "Redis");
        // Redis listens before it writes its pid file: until then this stack would not know it as its own (and a
        // stop right after the start would leave it running).
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!startedHere()) {
            if (System.nanoTime() > deadline) {
                throw new StackException("Redis on 127.0.0.1:" + port + " did not write " + dir.resolve("redis.pid")
                        + " naming it within 20 s; see " + dir.resolve("redis.log"));
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /**
     * Stops the Redis this stack started, and leaves alone a Redis of someone else's on the port: another checkout's
     * stack left behind by its killed stack process, say.
     */
    void stopOwn() {
        if (startedHere()) {
            stop();
        } else if (Ports.isOpen(port)) {
            System.err.println("left the Redis on 127.0.0.1:" + port + " running: " + dir.resolve("redis.pid")
                    + " does not name it, so it is not this stack's");
        }
    }

    /** Whether the Redis answering on the port is the process this stack's pid file names. */
    boolean startedHere() {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim());
            return pid == serverPid();
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** The process id the Redis on the port reports ({@code INFO server}), or -1 when none answers. */
    long serverPid() {
        try {
            return exchange("INFO server", in -> {
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.startsWith("process_id:")) {
                        return Long.parseLong(line.substring("process_id:".length()).trim());
                    }
                }
                return -1L;
            });
        } catch (IOException | NumberFormatException e) {
            return -1;   // none answers, or not as Redis does
        }
    }

    public void stop() {
        if (Ports.isOpen(port)) {
            try {
                command("SHUTDOWN NOSAVE");
            } catch (StackException expected) {
                // the server closes the connection as it exits
            }
        }
        Ports.awaitClosed(port, Duration.ofSeconds(20), "Redis");
    }

    /** Sends one inline command and returns the first reply line without its type marker. */
    public String command(String inline) {
        try {
            return exchange(inline, in -> {
                String line = in.readLine();
                return line == null || line.isEmpty() ? "" : line.substring(1);
            });
        } catch (IOException e) {
            throw new StackException("Redis on 127.0.0.1:" + port + " did not answer: " + e.getMessage(), e);
        }
    }

    /** What reads a reply. */
    private interface Reply<T> {
        T read(BufferedReader in) throws IOException;
    }

    /** Sends one inline command on a connection of its own and reads the reply with {@code reply}. */
    private <T> T exchange(String inline, Reply<T> reply) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply.read(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)));
        }
    }

    private Path binary() throws IOException {
        Path machine = Processes.which("redis-server", List.of());
        if (machine != null) {
            return machine;
        }
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new StackException("no redis-server on PATH and no packaged binary for this platform;"
                    + " install Redis (apt-get install -y redis-server)");
        }
        Path target = dir.resolve("bin/redis-server");
        if (!Files.isExecutable(target)) {
            Files.createDirectories(target.getParent());
            try (InputStream in = RedisServer.class.getResourceAsStream(PACKAGED_BINARY)) {
                if (in == null) {
                    throw new StackException("no redis-server on PATH and the embedded-redis artifact is missing;"
                            + " install Redis (apt-get install -y redis-server)");
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            target.toFile().setExecutable(true, false);
        }
        return target;
    }
}
