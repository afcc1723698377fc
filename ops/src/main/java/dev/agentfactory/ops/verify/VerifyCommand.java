package dev.agentfactory.ops.verify;

import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.agentfactory.ops.cli.Command;
import dev.agentfactory.ops.cli.Options;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.cli.UsageException;
import dev.agentfactory.store.replica.ComparisonReport;
import dev.agentfactory.store.replica.DatabaseComparator;

/**
 * {@code ops verify [--left=URL] [--right=URL] [--scope=full|replayed]}: compares two databases table by table
 * (default: the primary and the standby) and prints the differences; exit code 1 when there are any.
 * {@code replayed} compares only what a replay from the audit topics reproduces (see TableSpec).
 */
public final class VerifyCommand {

    private VerifyCommand() {
    }

    public static int run(List<String> args, Map<String, String> env) {
        return Command.run("verify", args, env, (a, s) -> {
            Options o = Options.parse(a, Set.of("left", "right", "scope"));
            ComparisonReport r = compare(o.get("left", s.dbUrl()), o.get("right", s.standbyUrl()),
                    scope(o.get("scope", "full")), s);
            System.out.println(r);
            return r.matches() ? 0 : 1;
        });
    }

    public static ComparisonReport compare(String left, String right, DatabaseComparator.Scope scope, OpsSettings s)
            throws Exception {
        try (Connection l = s.connect(left); Connection r = s.connect(right)) {
            return new DatabaseComparator(scope).compare(l, r);
        }
    }

    private static DatabaseComparator.Scope scope(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "full" -> DatabaseComparator.Scope.FULL;
            case "replayed" -> DatabaseComparator.Scope.REPLAYED;
            default -> throw new UsageException("--scope must be full or replayed, got '" + v + "'");
        };
    }
}
