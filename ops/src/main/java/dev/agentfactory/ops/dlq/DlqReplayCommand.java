package dev.agentfactory.ops.dlq;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.RecordSizes;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.UsageException;

/**
 * {@code ops dlq-replay [--reason=R] [--since=T] [--until=T] [--bootstrap=B] [--dlq-topic=D] [--dry-run]}:
 * re-publishes dead letters to their original topics once their cause is fixed. Safe to repeat: writes
 * that were applied answer DUPLICATE (same eventId); ones still invalid return to the DLQ. A dead letter that holds
 * no value, or whose copy the producer or broker refuses, is named by its position and the run goes on with the
 * rest, then exits 1: stopping there would leave the later dead letters unreplayed for a cause that is not theirs,
 * and a second run, once the cause is fixed, sends all again (those already applied answer DUPLICATE).
 */
public final class DlqReplayCommand {

    /**
     * The worker's payload limit, read from its variable: a dead letter holds a record the worker's producer sent
     * under this limit, and the replay's producer must send as large a record ({@link RecordSizes}).
     */
    static final String MAX_PAYLOAD_VARIABLE = "FACTORY_INGEST_MAX_PAYLOAD_BYTES";

    private static final Set<String> OPTIONS = Set.of("reason", "since", "until", "bootstrap", "dlq-topic", "dry-run");

    private DlqReplayCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        DlqFilter filter;
        boolean dryRun;
        int maxPayloadBytes;
        OpsSettings s;
        String topic;
        // the environment too: a malformed variable (FACTORY_CDC_LOCK_KEY) is a usage error, as for every command
        try {
            Options cli = Options.parse(args, OPTIONS);
            filter = new DlqFilter(cli.get("reason", null), instant(cli.get("since", null), "--since"),
                    instant(cli.get("until", null), "--until"));
            dryRun = cli.flag("dry-run");
            maxPayloadBytes = maxPayloadBytes(env.get(MAX_PAYLOAD_VARIABLE));
            s = OpsSettings.fromEnvironment(env).withBootstrap(cli.get("bootstrap", null));
            topic = cli.get("dlq-topic", s.topics().writesDlq());
        } catch (IllegalArgumentException | UsageException e) {
            err.println("dlq-replay: " + e.getMessage());
            err.println("usage: ops dlq-replay [--reason=" + Arrays.stream(InvalidWriteException.Reason.values())
                    .map(InvalidWriteException.Reason::wireName).collect(Collectors.joining("|")) + "]"
                    + " [--since=ISO-8601] [--until=ISO-8601] [--bootstrap=host:port] [--dlq-topic=name] [--dry-run]");
            return 2;
        }
        try {
            DlqReplayer.Result r = new DlqReplayer(s.kafka(), topic, RecordSizes.maxRequestBytes(maxPayloadBytes))
                    .replay(filter, dryRun);
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
            return r.withoutValue().isEmpty() && r.refused().isEmpty() ? 0 : 1;
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
