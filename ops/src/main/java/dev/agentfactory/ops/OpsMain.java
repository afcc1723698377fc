package dev.agentfactory.ops;

import java.util.List;

import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.demo.DemoCommand;
import dev.agentfactory.ops.dlq.DlqReplayCommand;
import dev.agentfactory.ops.failover.FailoverCommand;
import dev.agentfactory.ops.prune.PruneOutcomesCommand;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.ops.restore.RestoreCommand;
import dev.agentfactory.ops.verify.VerifyCommand;

/** {@code bin/ops}: operations on a running system; each command lives in its own package. */
public final class OpsMain {

    private static final String USAGE = """
            usage: ops <command> [--option=value ...]
              backup       consistent logical backup of schema factory with a manifest (retention by count/age)
              restore      restore a backup into an empty database, verified against its manifest
              replay       bring a restored database forward from the audit topics (to the end or --until)
              failover     fence a reachable primary, check the standby caught up, promote it, report RPO and RTO
              verify       compare two databases table by table
              dlq-replay   re-publish dead letters to their original topics (--reason, --since, --until)
              prune-outcomes  delete processed_events rows of UUIDv7 eventIds older than --older-than (checks topic retention)
              demo         publish sample agent and PRD writes and print their outcomes
            see docs/runbooks.md""";

    private OpsMain() {
    }

    public static void main(String[] args) {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "help" : argv.get(0);
        List<String> rest = argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
        switch (command) {
            case "backup" -> System.exit(BackupCommand.run(rest, System.getenv()));
            case "restore" -> System.exit(RestoreCommand.run(rest, System.getenv()));
            case "replay" -> System.exit(ReplayCommand.run(rest, System.getenv()));
            case "failover" -> System.exit(FailoverCommand.run(rest, System.getenv()));
            case "verify" -> System.exit(VerifyCommand.run(rest, System.getenv()));
            case "prune-outcomes" -> System.exit(PruneOutcomesCommand.run(rest, System.getenv(), System.out));
            case "demo" -> System.exit(DemoCommand.run(rest, System.getenv(), System.out, System.err));
            case "dlq-replay" -> System.exit(DlqReplayCommand.run(rest, System.getenv(), System.out, System.err));
            default -> {
                System.err.println(USAGE);
                System.exit(command.equals("help") ? 0 : 2);
            }
        }
    }
}
