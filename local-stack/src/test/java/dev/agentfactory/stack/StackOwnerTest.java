package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * A stack process of another data directory on this stack's control port is told apart from this stack's own, on
 * the client's side of the {@code root} command (the stack process's side runs in {@code StackHealingIT}).
 */
class StackOwnerTest {

    @TempDir
    Path dir;

    @Test
    void aStackProcessKeepingItsDataElsewhereIsRefusedNamingBothDirectoriesAndTheWayOut() throws Exception {
        Path mine = dir.resolve("mine/.local-stack");
        Path theirs = dir.resolve("theirs/.local-stack");
        try (ServerSocket control = answering(theirs.toString())) {
            StackSettings settings = settings(mine, control.getLocalPort());

            assertThat(StackOwner.foreign(settings)).isEqualTo(theirs);
            assertThatThrownBy(() -> StackOwner.require(settings)).isInstanceOf(StackException.class)
                    .hasMessageContaining("keeps its data in " + theirs + ", not in " + mine)
                    .hasMessageContaining("FACTORY_STACK_DIR=" + theirs + " bin/stack down");
        }
    }

    @Test
    void itsOwnStackProcessIsAcceptedAlsoUnderAnotherNameOfItsDirectory() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine/.local-stack"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("mine"));
        try (ServerSocket control = answering(link.resolve(".local-stack").toString())) {
            StackSettings settings = settings(mine, control.getLocalPort());

            assertThat(StackOwner.foreign(settings)).isNull();
            StackOwner.require(settings);
        }
    }

    @Test
    void noStackProcessOrOneThatCannotSayIsNoOtherCheckouts() throws Exception {
        Path mine = dir.resolve("mine/.local-stack");
        assertThat(StackOwner.foreign(settings(mine, FreePorts.take()))).as("none answers").isNull();
        try (ServerSocket control = answering("ERROR unknown command 'root'")) {
            assertThat(StackOwner.foreign(settings(mine, control.getLocalPort()))).as("an earlier build's").isNull();
        }
    }

    @Test
    void somethingElseOnTheControlPortIsNamedAsNoStackProcess() throws Exception {
        try (ServerSocket control = answering("HTTP/1.1 400 Bad Request")) {
            StackSettings settings = settings(dir.resolve("mine/.local-stack"), control.getLocalPort());

            assertThatThrownBy(() -> StackOwner.require(settings)).isInstanceOf(StackException.class)
                    .hasMessageContaining("is no stack process (it answered 'HTTP/1.1 400 Bad Request')");
        }
    }

    private static StackSettings settings(Path root, int controlPort) {
        return new StackSettings(root, 1, 2, 3, 4, 5, controlPort, "factory", "postgres", "postgres", "postgres");
    }

    /** A control port answering every command with {@code answer}, as a stack process would {@code root}. */
    private static ServerSocket answering(String answer) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println(answer);
                } catch (IOException e) {
                    return;   // closed by the test
                }
            }
        }, "fake-control");
        t.setDaemon(true);
        t.start();
        return server;
    }
}
