package dev.agentfactory.ops;

import java.util.List;

import dev.agentfactory.ops.demo.DemoCommand;
import dev.agentfactory.ops.dlq.DlqReplayCommand;

/** {@code bin/ops}: operations on a running system. Each command is added with the issue that delivers it. */
public final class OpsMain {

    private OpsMain() {
    }

    public static void main(String[] args) {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "help" : argv.get(0);
        List<String> rest = argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
        switch (command) {
            case "demo" -> System.exit(DemoCommand.run(rest, System.getenv(), System.out, System.err));
            case "dlq-replay" -> System.exit(DlqReplayCommand.run(rest, System.getenv(), System.out, System.err));
            default -> {
                System.err.println("usage: ops <command>\n  demo         publish sample agent and PRD writes and print"
                        + " their outcomes\n  dlq-replay   re-publish dead letters to their original topics"
                        + " (--reason, --since, --until)");
                System.exit(command.equals("help") ? 0 : 2);
            }
        }
    }
}
