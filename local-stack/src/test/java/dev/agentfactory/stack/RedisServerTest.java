package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping a stack leaves a Redis that is not its own alone (another checkout's, left by its killed stack). */
class RedisServerTest {

    @TempDir
    Path dir;

    @Test
    void aRedisPortWhoseServerThisStackDidNotStartIsNotShutDown() throws Exception {
        try (ServerSocket others = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            List<String> commands = new CopyOnWriteArrayList<>();
            Thread listener = new Thread(() -> {
                while (!others.isClosed()) {
                    try (Socket s = others.accept()) {
                        s.setSoTimeout(500);
                        // a port probe connects and closes; a command arrives as a line (and gets no answer)
                        String line = new BufferedReader(new InputStreamReader(s.getInputStream(),
                                StandardCharsets.UTF_8)).readLine();
                        if (line != null) {
                            commands.add(line);
                        }
                    } catch (IOException e) {
                        // a probe that never wrote, or the test's end
                    }
                }
            });
            listener.setDaemon(true);
            listener.start();
            RedisServer redis = new RedisServer(dir, others.getLocalPort());

            redis.stopOwn();   // no pid file at all
            Files.writeString(dir.resolve("redis.pid"), ProcessHandle.current().pid() + "\n");
            redis.stopOwn();   // a live process, but no Redis
            Files.writeString(dir.resolve("redis.pid"), "not a pid\n");
            redis.stopOwn();

            // No wait needed: a command's sender blocks for the reply until the listener, having recorded the line,
            // closes the connection.
            assertThat(commands).as("what was asked of whatever listens there").noneMatch(c -> c.startsWith("SHUTDOWN"));
            assertThat(others.isClosed()).isFalse();
        }
    }
}
