package dev.agentfactory.ops.prune;

import java.io.PrintStream;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.agentfactory.ops.cli.KafkaClients;
import dev.agentfactory.ops.cli.Command;
import dev.agentfactory.ops.cli.OpsException;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.UsageException;

/**
 * {@code ops prune-outcomes --older-than=30d [--batch=N] [--dry-run] [--allow-shorter-than-retention] [--db=URL]}:
 * the retention job of {@code factory.processed_events}, the worker's dedup record, which otherwise grows by one
 * row per event forever. It refuses to cut inside the time a record could still reach the worker again (the write
 * topics' and the DLQ's retention, read from the broker), since such a record would be applied a second time.
 */
public final class PruneOutcomesCommand {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

    private PruneOutcomesCommand() {
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out) {
        return Command.run("prune-outcomes", args, env, (a, s) -> prune(a, s, out));
    }

    private static int prune(List<String> args, OpsSettings s, PrintStream out) throws Exception {
        Instant started = Instant.now();
        PruneRequest r;
        Cut cut;
        try {
            r = PruneRequest.parse(args, s.dbUrl());
            cut = cut(started, r.olderThan());
        } catch (UsageException e) {
            throw new UsageException(e.getMessage() + System.lineSeparator() + PruneRequest.USAGE);
        }
        checkRetention(r, s.kafka(), s.topics().writes(), s.topics().writesDlq(), out);
        out.printf("prune-outcomes: %s rows of UUIDv7 eventIds minted before %s (event_id < %s), batches of %d%n",
                r.dryRun() ? "counting (dry run)" : "deleting", cut.time(), cut.bound(), r.batch());
        OutcomePruner.Result result;
        try (Connection c = s.connect(r.db())) {
            result = OutcomePruner.prune(c, cut, r.batch(), r.dryRun());
        }
        out.printf("prune-outcomes: %s %d rows in %d batches, %.2f s; kept below the cut: %d not UUIDv7,"
                        + " %d processed after the cut time; cut %s = %s%n",
                r.dryRun() ? "would delete" : "deleted", result.pruned(), result.batches(),
                Duration.between(started, Instant.now()).toMillis() / 1000.0, result.notV7(),
                result.processedAfterCut(), cut.time(), cut.bound());
        return 0;
    }

    private static Cut cut(Instant now, Duration olderThan) {
        try {
            return Cut.before(now, olderThan);
        } catch (RuntimeException e) { // before 1970, or beyond what an Instant holds
            throw new UsageException("--older-than " + TopicRetention.readable(olderThan) + " reaches before 1970");
        }
    }

    private static void checkRetention(PruneRequest r, KafkaClients kafka, List<String> writes, String dlq,
            PrintStream out) {
        String refusal;
        try {
            List<TopicRetention.Kept> kept = new TopicRetention(kafka, KAFKA_TIMEOUT)
                    .of(Stream.concat(writes.stream(), Stream.of(dlq)).distinct().toList());
            refusal = TopicRetention.refusal(r.olderThan(),
                    kept.stream().filter(k -> writes.contains(k.topic())).toList(),
                    kept.stream().filter(k -> k.topic().equals(dlq)).findFirst().orElseThrow());
            if (refusal == null) {
                out.println("prune-outcomes: longer than a record can stay in the DLQ and then a write topic: " + kept);
                return;
            }
        } catch (OpsException e) {
            refusal = e.getMessage() + ". Without the retention of the topics the worker reads, nothing proves that"
                    + " a record older than the cut cannot be redelivered, and with its dedup record gone it would"
                    + " be applied a second time.";
        }
        if (!r.allowShorterThanRetention()) {
            throw new OpsException(refusal + " Use a longer --older-than, or --allow-shorter-than-retention if you"
                    + " know no record older than the cut can reach the worker again.");
        }
        out.println("prune-outcomes: WARNING, --allow-shorter-than-retention overrides: " + refusal);
    }
}
