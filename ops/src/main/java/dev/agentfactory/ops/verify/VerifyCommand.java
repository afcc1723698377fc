package dev.agentfactory.ops.verify;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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

    /**
     * As pg_dump sets it, for each side's whole session (the comparison runs in autocommit): a role under row-level
     * security without a policy would otherwise see empty tables on that side, and two such sides would match. Off,
     * its reads fail (42501) instead. Here, not in {@link DatabaseComparator}: the relay and the benches run it too, as
     * roles that may read through a policy, which row_security off would fail.
     */
    static final String ROW_SECURITY_OFF_SQL = "SET row_security = off";

    public static ComparisonReport compare(String left, String right, DatabaseComparator.Scope scope, OpsSettings s)
            throws Exception {
        try (Connection l = s.connect(left); Connection r = s.connect(right)) {
            rowSecurityOff(l);
            rowSecurityOff(r);
            return new DatabaseComparator(scope).compare(l, r);
        }
    }

    /** {@link #ROW_SECURITY_OFF_SQL} on {@code c}, for its whole session. */
    public static void rowSecurityOff(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(ROW_SECURITY_OFF_SQL);
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
