package dev.agentfactory.ops.dlq;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.contracts.RecordSizes;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.UsageException;

/**
 * {@code ops dlq-replay [--reason=R] [--since=T] [--until=T] [--to-topic=OLD=NEW] [--bootstrap=B] [--dlq-topic=D]
 * [--dry-run]}: re-publishes dead letters to their original topics once their cause is fixed. Safe to repeat: writes
 * that were applied answer DUPLICATE (same eventId); ones still invalid return to the DLQ. A dead letter that holds
 * no value, whose original topic the worker does not read ({@link ReplayTargets}), or whose copy the producer or
 * broker refuses, is named by its position and the run goes on with the rest, then exits 1: stopping there would
 * leave the later dead letters unreplayed for a cause that is not theirs, and a second run, once the cause is fixed,
 * sends all again (those already applied answer DUPLICATE).
 */
public final class DlqReplayCommand {

    /**
     * The worker's payload limit, read from its variable: a dead letter holds a record the worker's producer sent
     * under this limit, and the replay's producer must send as large a record ({@link RecordSizes}).
     */
    static final String MAX_PAYLOAD_VARIABLE = "FACTORY_INGEST_MAX_PAYLOAD_BYTES";

    private static final Set<String> OPTIONS = Set.of("reason", "since", "until", "to-topic", "bootstrap", "dlq-topic",
            "dry-run");

    private DlqReplayCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        DlqFilter filter;
        boolean dryRun;
        int maxPayloadBytes;
        OpsSettings s;
        String topic;
        ReplayTargets targets;
        // the environment too: a malformed variable (FACTORY_CDC_LOCK_KEY) is a usage error, as for every command
        try {
            Options cli = Options.parse(args, OPTIONS);
            filter = new DlqFilter(cli.get("reason", null), instant(cli.get("since", null), "--since"),
                    instant(cli.get("until", null), "--until"));
            dryRun = cli.flag("dry-run");
            maxPayloadBytes = maxPayloadBytes(env.get(MAX_PAYLOAD_VARIABLE));
            s = OpsSettings.fromEnvironment(env).withBootstrap(cli.get("bootstrap", null));
            topic = cli.get("dlq-topic", s.topics().writesDlq());
            targets = ReplayTargets.of(s.topics().writes(), cli.optional("to-topic"));
        } catch (IllegalArgumentException | UsageException e) {
            err.println("dlq-replay: " + e.getMessage());
            err.println("usage: ops dlq-replay [--reason=" + String.join("|", DlqFilter.REASONS) + "]"
                    + " [--since=ISO-8601] [--until=ISO-8601] [--to-topic=old=new[,old=new]] [--bootstrap=host:port]"
                    + " [--dlq-topic=name] [--dry-run]");
            return 2;
        }
        try {
            DlqReplayer.Result r = new DlqReplayer(s.kafka(), topic, targets,
                    RecordSizes.maxRequestBytes(maxPayloadBytes)).replay(filter, dryRun);
            out.printf("%s %d of %d dead letters in %s (%s)%n", dryRun ? "would replay" : "replayed", r.replayed(),
                    r.scanned(), topic, filter);
            r.byTopic().forEach((t, n) -> out.printf("  %s: %d%n", t, n));
            if (!r.withoutValue().isEmpty()) {
                err.printf("dlq-replay: %d matching dead letters hold no value (too large for the DLQ) and were"
                        + " not replayed; their originals are at %s%n", r.withoutValue().size(),
                        String.join(", ", r.withoutValue()));
            }
            if (!r.refused().isEmpty()) {
                err.printf("dlq-replay: %d dead letters were not replayed, refused by the producer or the broker (the"
                        + " rest were); a record too large needs a larger %s, as the worker's, or larger"
                        + " max.message.bytes on its topic:%n", r.refused().size(), MAX_PAYLOAD_VARIABLE);
                r.refused().forEach(line -> err.println("  " + line));
            }
            if (!r.unread().isEmpty()) {
                err.printf("dlq-replay: %d matching dead letters %s: their original topic is not one the"
                        + " worker reads (%s, from FACTORY_INGEST_AGENT_TOPIC and FACTORY_INGEST_PRD_TOPIC); if it was"
                        + " renamed, --to-topic=old=new sends them to the new one:%n", r.unread().size(),
                        dryRun ? "would not be replayed" : "were not replayed", String.join(", ", targets.writes()));
                r.unread().forEach(line -> err.println("  " + line));
            }
            return r.withoutValue().isEmpty() && r.refused().isEmpty() && r.unread().isEmpty() ? 0 : 1;
        } catch (RuntimeException e) {
            err.println("dlq-replay failed: " + e.getMessage());
            return 1;
        }
    }

    /** Blank or unset: the worker's default. */
    static int maxPayloadBytes(String value) {
        if (value == null || value.isBlank()) {
            return WriteCodec.DEFAULT_MAX_BYTES;
        }
        try {
            int bytes = Integer.parseInt(value.trim());
            if (bytes > 0) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(MAX_PAYLOAD_VARIABLE + " must be a positive number of bytes, got '" + value
                + "'");
    }

    private static Instant instant(String value, String option) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be an ISO-8601 instant like 2026-01-31T12:00:00Z");
        }
    }
}
