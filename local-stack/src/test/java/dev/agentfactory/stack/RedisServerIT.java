package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * A stack uses and stops only the Redis it started (its pid file names the process the server reports), as it does
 * PostgreSQL's clusters: another checkout's Redis on the same port is neither adopted nor shut down. A real Redis on
 * a free port, not the shared stack's.
 */
class RedisServerIT {

    @TempDir
    Path dir;

    @Test
    void aStackStopsItsOwnRedisAndNeitherUsesNorStopsAnothers() {
        int port = FreePorts.take();
        RedisServer mine = new RedisServer(dir.resolve("mine"), port);
        RedisServer theirs = new RedisServer(dir.resolve("theirs"), port);
        mine.ensureStarted();
        try {
            assertThat(mine.startedHere()).isTrue();
            assertThat(theirs.startedHere()).isFalse();
            assertThatThrownBy(theirs::ensureStarted).isInstanceOf(StackException.class)
                    .hasMessageContaining("is taken by a Redis this stack did not start (process " + mine.serverPid());

            theirs.stopOwn();
            assertThat(mine.command("PING")).as("still up").isEqualTo("PONG");

            mine.stopOwn();
            assertThat(Ports.isOpen(port)).as("stopped").isFalse();
        } finally {
            mine.stop();
        }
    }
}
