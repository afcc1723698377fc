package dev.agentfactory.ops;

import java.util.List;

/** {@code bin/ops}: operations on a running system. Each command is added with the issue that delivers it. */
public final class OpsMain {

    private OpsMain() {
    }

    public static void main(String[] args) {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "help" : argv.get(0);
        switch (command) {
            default -> {
                System.err.println("usage: ops <command>\n  (no command is available yet)");
                System.exit(command.equals("help") ? 0 : 2);
            }
        }
    }
}
