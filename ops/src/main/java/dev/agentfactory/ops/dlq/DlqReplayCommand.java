package dev.agentfactory.ops.dlq;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.UsageException;

/**
 * {@code ops dlq-replay [--reason=R] [--since=T] [--until=T] [--bootstrap=B] [--dlq-topic=D] [--dry-run]}:
 * re-publishes dead letters to their original topics once their cause is fixed. Safe to repeat: writes
 * that were applied answer DUPLICATE (same eventId); ones still invalid return to the DLQ.
 */
public final class DlqReplayCommand {

    private static final Set<String> OPTIONS = Set.of("reason", "since", "until", "bootstrap", "dlq-topic", "dry-run");

    private DlqReplayCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        DlqFilter filter;
        Options cli;
        boolean dryRun;
        try {
            cli = Options.parse(args, OPTIONS);
            filter = new DlqFilter(cli.get("reason", null), instant(cli.get("since", null), "--since"),
                    instant(cli.get("until", null), "--until"));
            dryRun = cli.flag("dry-run");
        } catch (IllegalArgumentException | UsageException e) {
            err.println("dlq-replay: " + e.getMessage());
            err.println("usage: ops dlq-replay [--reason=malformed_json|schema_violation|unknown_type|oversized|invalid_id]"
                    + " [--since=ISO-8601] [--until=ISO-8601] [--bootstrap=host:port] [--dlq-topic=name] [--dry-run]");
            return 2;
        }
        OpsSettings s = OpsSettings.fromEnvironment(env).withBootstrap(cli.get("bootstrap", null));
        String topic = cli.get("dlq-topic", s.topics().writesDlq());
        try {
            DlqReplayer.Result r = new DlqReplayer(s.kafka(), topic).replay(filter, dryRun);
            out.printf("%s %d of %d dead letters in %s (%s)%n", dryRun ? "would replay" : "replayed", r.replayed(),
                    r.scanned(), topic, filter);
            r.byTopic().forEach((t, n) -> out.printf("  %s: %d%n", t, n));
            if (!r.withoutValue().isEmpty()) {
                err.printf("dlq-replay: %d matching dead letters hold no value (over the worker's size limit) and were"
                        + " not replayed; their originals are at %s%n", r.withoutValue().size(),
                        String.join(", ", r.withoutValue()));
                return 1;
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("dlq-replay failed: " + e.getMessage());
            return 1;
        }
    }

    private static Instant instant(String value, String option) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be an ISO-8601 instant like 2026-01-31T12:00:00Z");
        }
    }
}
