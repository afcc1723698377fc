package dev.agentfactory.gateway.e2e;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;

import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;
import dev.agentfactory.store.replica.ComparisonReport;
import dev.agentfactory.store.replica.DatabaseComparator;

/**
 * Whether every copy the relay keeps agrees with the primary, as differences (empty when they all do):
 * the standby table by table as {@code ops verify} compares them; each Redis entry present under the
 * prefix at the primary's current version and with the content the gateway would load from the primary (a
 * cache that lost entries may miss them, never hold an older or different one); the audit topics holding every committed version, history entry and applied eventId at least once,
 * and nothing that was never committed.
 */
final class SinkAgreement {

    static final String ENTITY_SQL = "SELECT id::text, version, deleted_at IS NOT NULL, slug FROM factory.%s";
    static final String VERSIONS_SQL = "SELECT '%s:' || %s::text || ':' || version FROM factory.%s";
    static final String HISTORY_SQL = "SELECT seq::text FROM factory.agent_history";
    /**
     * The applied writes that changed something: a version row or a history entry carries their eventId. One that
     * changed nothing (APPLIED at the version it found) commits only its dedup and audit_log rows, which no sink
     * streams.
     */
    static final String APPLIED_EVENTS_SQL = "SELECT event_id::text FROM factory.processed_events p "
            + "WHERE outcome = 'APPLIED' AND (EXISTS (SELECT 1 FROM factory.agent_versions v WHERE v.event_id = p.event_id) "
            + "OR EXISTS (SELECT 1 FROM factory.prd_versions v WHERE v.event_id = p.event_id) "
            + "OR EXISTS (SELECT 1 FROM factory.agent_history h WHERE h.event_id = p.event_id))";

    private static final ReadModelCodec CODEC = new ReadModelCodec();

    private SinkAgreement() {
    }

    static List<String> standby(Connection primary, Connection standby) throws SQLException {
        ComparisonReport report = new DatabaseComparator(DatabaseComparator.Scope.FULL).compare(primary, standby);
        return report.differences().stream().map(d -> "standby " + d).toList();
    }

    /**
     * Entity keys at the primary's version and deletion, holding what {@code loaded} answers for the entity
     * (the JSON the gateway caches after reading the primary, null when absent); slug keys naming the live
     * entity of that slug.
     */
    static List<String> redis(Connection primary, RedisCommands<String, String> redis, String prefix,
                              BiFunction<Boolean, UUID, String> loaded) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        Map<String, String> liveSlugs = new HashMap<>();
        for (String entity : List.of("agent", "prd")) {
            try (Statement st = primary.createStatement();
                 ResultSet rs = st.executeQuery(ENTITY_SQL.formatted(entity + "s"))) {
                while (rs.next()) {
                    rows.put(prefix + ":" + entity + ":" + rs.getString(1), new Row(rs.getLong(2), rs.getBoolean(3)));
                    if (!rs.getBoolean(3)) {
                        liveSlugs.put(prefix + ":" + entity + "-slug:" + rs.getString(4), rs.getString(1));
                    }
                }
            }
        }
        List<String> differences = new ArrayList<>();
        for (String key : keys(redis, prefix)) {
            if (key.endsWith(":epoch") || key.startsWith(prefix + ":idempotency:")
                    || key.equals(new ReadModelKeys(prefix).server())) {
                continue; // list-page generations, request fingerprints, the relay's server record: no entity
            }
            String value = redis.get(key);
            if (value == null) {
                continue; // expired or dropped since the scan
            }
            Row row = rows.get(key);
            if (row != null) {
                long version = CODEC.version(value);
                boolean deleted = value.contains("\"deletedAt\":\"");
                if (version != row.version || deleted != row.deleted || CODEC.isPurged(value)) {
                    differences.add("redis " + key + ": primary v" + row.version + (row.deleted ? " deleted" : "")
                            + ", cached v" + version + (deleted ? " deleted" : "") + (CODEC.isPurged(value) ? " purged" : ""));
                } else {
                    boolean agent = key.startsWith(prefix + ":agent:");
                    UUID id = UUID.fromString(key.substring(key.lastIndexOf(':') + 1));
                    String expected = loaded.apply(agent, id);
                    // both through the codec, so only the entity's fields count, not how the JSON was spelled
                    String cached = agent ? CODEC.readAgent(value).map(CODEC::write).orElse(null)
                            : CODEC.readPrd(value).map(CODEC::write).orElse(null);
                    if (!java.util.Objects.equals(cached, expected)) {
                        differences.add("redis " + key + " v" + version + " differs from the primary's row:\n    cached "
                                + cached + "\n    primary " + expected);
                    }
                }
            } else if (liveSlugs.containsKey(key)) {
                if (!liveSlugs.get(key).equals(value)) {
                    differences.add("redis " + key + " names " + value + ", the primary " + liveSlugs.get(key));
                }
            } else {
                differences.add("redis " + key + " has no live counterpart on the primary: " + abbreviate(value));
            }
        }
        return differences;
    }

    static List<String> audit(Connection primary, AuditTopicsReader audit) throws SQLException {
        Set<String> versions = strings(primary, VERSIONS_SQL.formatted("agent", "agent_id", "agent_versions"));
        versions.addAll(strings(primary, VERSIONS_SQL.formatted("prd", "prd_id", "prd_versions")));
        Set<Long> seqs = new HashSet<>();
        strings(primary, HISTORY_SQL).forEach(s -> seqs.add(Long.parseLong(s)));
        Set<String> applied = strings(primary, APPLIED_EVENTS_SQL);
        List<String> differences = new ArrayList<>();
        compare("versions", versions, Set.copyOf(audit.versions), differences);
        compare("history entries", seqs, Set.copyOf(audit.historySeqs), differences);
        // the audit carries the eventId of every applied write that made a version row or a history entry
        compare("applied eventIds", applied, Set.copyOf(audit.eventIds), differences);
        return differences;
    }

    private static <T> void compare(String what, Set<T> committed, Set<T> audited, List<String> differences) {
        List<T> missing = committed.stream().filter(v -> !audited.contains(v)).limit(5).toList();
        long missingCount = committed.stream().filter(v -> !audited.contains(v)).count();
        List<T> invented = audited.stream().filter(v -> !committed.contains(v)).limit(5).toList();
        long inventedCount = audited.stream().filter(v -> !committed.contains(v)).count();
        if (missingCount > 0) {
            differences.add("audit: " + missingCount + " of " + committed.size() + " committed " + what
                    + " never audited, e.g. " + missing);
        }
        if (inventedCount > 0) {
            differences.add("audit: " + inventedCount + " audited " + what + " never committed, e.g. " + invented);
        }
    }

    /** Every key under the prefix (SCAN, never KEYS: Redis is shared). */
    static List<String> keys(RedisCommands<String, String> redis, String prefix) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return keys;
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

    private static String abbreviate(String value) {
        return value.length() <= 120 ? value : value.substring(0, 120) + "…";
    }

    private record Row(long version, boolean deleted) {
    }
}
