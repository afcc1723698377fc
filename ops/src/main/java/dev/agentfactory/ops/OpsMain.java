package dev.agentfactory.ops;

import java.util.List;

import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.failover.FailoverCommand;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.ops.verify.VerifyCommand;

/** {@code bin/ops}: operations on a running system. Each command is added with the issue that delivers it. */
public final class OpsMain {

    private OpsMain() {
    }

    public static void main(String[] args) {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "help" : argv.get(0);
        switch (command) {
            case "backup" -> System.exit(BackupCommand.run(argv.subList(1, argv.size()), System.getenv()));
            case "restore" -> System.exit(RestoreCommand.run(argv.subList(1, argv.size()), System.getenv()));
            case "replay" -> System.exit(ReplayCommand.run(argv.subList(1, argv.size()), System.getenv()));
            case "failover" -> System.exit(FailoverCommand.run(argv.subList(1, argv.size()), System.getenv()));
            case "verify" -> System.exit(VerifyCommand.run(argv.subList(1, argv.size()), System.getenv()));
            default -> {
                System.err.println("usage: ops backup|restore|replay|failover|verify [--option=value ...]\n  see docs/runbooks.md");
                System.exit(command.equals("help") ? 0 : 2);
            }
        }
    }
}
