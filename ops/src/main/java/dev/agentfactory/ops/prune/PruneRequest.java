package dev.agentfactory.ops.prune;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.UsageException;

/**
 * The command line of {@code ops prune-outcomes}, checked before anything is opened: a missing, unparseable,
 * zero or negative age and a batch below one are usage errors.
 */
record PruneRequest(Duration olderThan, int batch, boolean dryRun, boolean allowShorterThanRetention, String db) {

    static final String USAGE = "usage: ops prune-outcomes --older-than=<30d|720h|P30D> [--batch=N (10000)]"
            + " [--dry-run] [--allow-shorter-than-retention] [--db=URL]";

    private static final Set<String> OPTIONS = Set.of("older-than", "batch", "dry-run", "allow-shorter-than-retention",
            "db");

    static PruneRequest parse(List<String> args, String defaultDb) {
        Options o = Options.parse(args, OPTIONS);
        o.required("older-than");
        Duration olderThan = o.duration("older-than", null);
        if (olderThan.isZero() || olderThan.isNegative()) {
            throw new UsageException("--older-than must be longer than zero, got " + olderThan);
        }
        int batch = o.intValue("batch", 10_000);
        if (batch < 1) {
            throw new UsageException("--batch must be at least 1, got " + batch);
        }
        return new PruneRequest(olderThan, batch, o.flag("dry-run"), o.flag("allow-shorter-than-retention"),
                o.get("db", defaultDb));
    }
}
