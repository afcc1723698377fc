package dev.agentfactory.relay.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.agentfactory.relay.verify.ConsistencyReport.Difference;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;
import dev.agentfactory.store.replica.ComparisonReport;
import dev.agentfactory.store.replica.DatabaseComparator;

/**
 * Compares what the relay's sinks hold with the primary: per-table row counts and content hashes against
 * the standby, every agent and PRD version against the Redis read model, and every version and history
 * entry against the audit topics. The standby part is {@code store.replica.DatabaseComparator}, the comparison
 * {@code ops verify} runs too.
 */
public final class ConsistencyChecker {

    static final String ENTITY_VERSIONS_SQL = "SELECT id::text, version, deleted_at IS NOT NULL FROM factory.%s";
    static final String VERSION_KEYS_SQL = "SELECT %s::text || ':' || version FROM factory.%s";
    static final String HISTORY_SEQS_SQL = "SELECT seq FROM factory.agent_history";

    private final List<Difference> differences = new ArrayList<>();

    /**
     * Standby: same row count and content hash for every factory table, compared as {@code ops verify} and
     * the DR tools compare databases; a table that differs names its first differing keys.
     */
    public ConsistencyChecker standby(Connection primary, Connection standby) throws SQLException {
        ComparisonReport report = new DatabaseComparator(DatabaseComparator.Scope.FULL).compare(primary, standby);
        for (ComparisonReport.Difference d : report.differences()) {
            differences.add(new Difference("standby", d.table(), "(left = primary, right = standby) " + d.summary()
                    + (d.samples().isEmpty() ? "" : "; " + String.join(", ", d.samples()))));
        }
        return this;
    }

    /**
     * Redis: each agent and PRD cached at the primary's version, deleted ones as tombstones.
     * {@code mget} answers the values of the given keys (null for a missing key), in order.
     */
    public ConsistencyChecker redis(Connection primary, ReadModelKeys keys,
                                    Function<List<String>, List<String>> mget) throws SQLException {
        ReadModelCodec codec = new ReadModelCodec();
        for (String table : List.of("agents", "prds")) {
            List<String> ids = new ArrayList<>();
            List<long[]> expected = new ArrayList<>();
            try (Statement st = primary.createStatement();
                 ResultSet rs = st.executeQuery(ENTITY_VERSIONS_SQL.formatted(table))) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                    expected.add(new long[] {rs.getLong(2), rs.getBoolean(3) ? 1 : 0});
                }
            }
            List<String> redisKeys = ids.stream().map(id -> table.equals("agents")
                    ? keys.agent(java.util.UUID.fromString(id)) : keys.prd(java.util.UUID.fromString(id))).toList();
            List<String> values = redisKeys.isEmpty() ? List.of() : mget.apply(redisKeys);
            for (int i = 0; i < ids.size(); i++) {
                String value = values.get(i);
                long version = value == null ? -1 : codec.version(value);
                boolean deleted = value != null && value.contains("\"deletedAt\":\"");
                if (version != expected.get(i)[0] || deleted != (expected.get(i)[1] == 1)) {
                    differences.add(new Difference("redis", table, ids.get(i) + " primary v" + expected.get(i)[0]
                            + (expected.get(i)[1] == 1 ? " deleted" : "") + ", redis "
                            + (value == null ? "missing" : "v" + version + (deleted ? " deleted" : ""))));
                }
            }
        }
        return this;
    }

    /**
     * Audit topics: every agent and PRD version and every history entry seen at least once.
     * {@code versionsSeen} holds "entity:id:version", {@code historySeen} the history seq numbers.
     */
    public ConsistencyChecker audit(Connection primary, Set<String> versionsSeen, Set<Long> historySeen)
            throws SQLException {
        for (Map.Entry<String, String> t : Map.of("agent", "agent_versions:agent_id", "prd",
                "prd_versions:prd_id").entrySet()) {
            String[] tc = t.getValue().split(":");
            Set<String> expected = strings(primary, VERSION_KEYS_SQL.formatted(tc[1], tc[0]));
            Set<String> missing = new HashSet<>();
            for (String k : expected) {
                if (!versionsSeen.contains(t.getKey() + ":" + k)) {
                    missing.add(k);
                }
            }
            if (!missing.isEmpty()) {
                differences.add(new Difference("audit", tc[0], missing.size() + " of " + expected.size()
                        + " versions missing, e.g. " + missing.stream().limit(5).toList()));
            }
        }
        Set<String> seqs = strings(primary, HISTORY_SEQS_SQL);
        long missing = seqs.stream().filter(s -> !historySeen.contains(Long.parseLong(s))).count();
        if (missing > 0) {
            differences.add(new Difference("audit", "agent_history", missing + " of " + seqs.size()
                    + " entries missing"));
        }
        return this;
    }

    public ConsistencyReport report() {
        return new ConsistencyReport(List.copyOf(differences));
    }

    private static Set<String> strings(Connection c, String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
