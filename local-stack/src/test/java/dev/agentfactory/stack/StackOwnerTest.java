package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
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
        try (ServerSocket control = FakeControlPort.answering(theirs.toString())) {
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
        try (ServerSocket control = FakeControlPort.answering(link.resolve(".local-stack").toString())) {
            StackSettings settings = settings(mine, control.getLocalPort());

            assertThat(StackOwner.foreign(settings)).isNull();
            StackOwner.require(settings);
        }
    }

    @Test
    void noStackProcessOrOneThatCannotSayIsNoOtherCheckouts() throws Exception {
        Path mine = dir.resolve("mine/.local-stack");
        assertThat(StackOwner.foreign(settings(mine, FreePorts.take()))).as("none answers").isNull();
        try (ServerSocket control = FakeControlPort.answering("ERROR unknown command 'root'")) {
            assertThat(StackOwner.foreign(settings(mine, control.getLocalPort()))).as("an earlier build's").isNull();
        }
    }

    @Test
    void somethingElseOnTheControlPortIsNamedAsNoStackProcess() throws Exception {
        try (ServerSocket control = FakeControlPort.answering("HTTP/1.1 400 Bad Request")) {
            StackSettings settings = settings(dir.resolve("mine/.local-stack"), control.getLocalPort());

            assertThatThrownBy(() -> StackOwner.require(settings)).isInstanceOf(StackException.class)
                    .hasMessageContaining("is no stack process (it answered 'HTTP/1.1 400 Bad Request')");
        }
    }

    private static StackSettings settings(Path root, int controlPort) {
        return new StackSettings(root, 1, 2, 3, 4, 5, controlPort, "factory", "postgres", "postgres", "postgres");
    }
}
