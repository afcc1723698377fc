package dev.agentfactory.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A loopback port standing in for a stack process's control port, for the tests of who owns a stack. */
final class FakeControlPort {

    private FakeControlPort() {
    }

    /** A port on a free number answering every command with {@code answer}, as a stack process would {@code root}. */
    static ServerSocket answering(String answer) throws IOException {
        ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
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
