package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.store.replica.StandbyPurgeFloors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With the primary gone, the audit topics are the record of what was committed: counts the entity versions,
 * history entries and PRD links they hold that a database lacks (an entity behind the topics' latest version, or
 * holding another incarnation than theirs, a history entry absent, a link or unlink the database does not show while its PRD is not past the version that
 * made it). Zero means nothing the relay published is missing. A purge in the topics (an entity's or a history
 * entry's delete) takes what it deleted out of the count, an agent's purge its history entries too (one purged
 * before V4_5 has no history delete events); one entity's events are in commit order on its partition, so a purged
 * and re-created entity is expected at its versions after the purge. A purge the database holds and the topics do
 * not yet ({@link StandbyPurgeFloors}) takes out what the topics say of that entity before it.
 */
final class AuditCoverage {

    static final String ENTITY_VERSIONS_SQL = "SELECT id::text, version, created_at FROM factory.%s";
    static final String HISTORY_SEQS_SQL = "SELECT seq FROM factory.agent_history";
    static final String LINKS_SQL = "SELECT prd_id::text || ':' || agent_id::text FROM factory.prd_agents";

    /** What the topics last said of one PRD-agent link: whether it exists, and the PRD version that said so. */
    private record Link(String prd, boolean present, Long version) {
    }

    /** What the topics last said of an agent or PRD: its version and incarnation ({@code created_at}; null: unknown). */
    private record Latest(long version, Instant createdAt) {

        /** This, followed by {@code next} of the same id: the id created again after a purge is another entity. */
        Latest then(Latest next) {
            return Objects.equals(createdAt, next.createdAt) ? new Latest(Math.max(version, next.version), createdAt)
                    : next;
        }
    }

    private AuditCoverage() {
    }

    /**
     * Counts from {@code from} (the backup's offsets the replay started from; empty: the beginning): what the topics
     * hold before it is in the backup, and history from before an earlier failover is another cluster's, whose LSNs
     * mean nothing against this standby's purge floors.
     */
    static long missing(AuditTopics topics, Connection db, Map<String, Map<Integer, Long>> from) throws Exception {
        StandbyPurgeFloors floors = StandbyPurgeFloors.readAll(db);
        Map<String, Latest> latest = new HashMap<>();
        Map<Long, String> history = new HashMap<>(); // seq to its agent
        Map<String, Link> links = new HashMap<>();
        scan(topics, from, e -> {
            String table = e.path("table").asString();
            boolean deleted = !e.path("after").isObject(); // an operator's purge: nothing left to expect
            JsonNode link = table.equals("prd_agents") ? (deleted ? e.path("before") : e.path("after")) : null;
            if (floors.beforeAPurge(e.path("entity").asString(), e.path("id").asString(),
                    e.path("lsn").isNumber() ? e.path("lsn").asLong() : null,
                    link == null ? null : link.path("agent_id").asString())) {
                return;
            }
            if (table.equals("agent_history")) {
                if (deleted) {
                    history.remove(e.path("before").path("seq").asLong());
                } else {
                    history.put(e.path("after").path("seq").asLong(), e.path("id").asString());
                }
            } else if (table.equals("prd_agents")) {
                JsonNode row = deleted ? e.path("before") : e.path("after");
                String prd = row.path("prd_id").asString();
                links.put(prd + ":" + row.path("agent_id").asString(), new Link(prd, !deleted,
                        e.path("version").isNumber() ? e.path("version").asLong() : null));
            } else if (table.equals("agents") || table.equals("prds")) {
                String key = table + ":" + e.path("id").asString();
                if (deleted) {
                    latest.remove(key);
                    if (table.equals("agents")) {
                        history.values().removeIf(e.path("id").asString()::equals);
                    }
                } else {
                    String createdAt = e.path("after").path("created_at").stringValue(null);
                    latest.merge(key, new Latest(e.path("version").asLong(), createdAt == null ? null
                            : Instant.parse(createdAt)), Latest::then);
                }
            }
        });
        long missing = 0;
        try (Statement st = db.createStatement()) {
            Map<String, Long> held = new HashMap<>();
            Map<String, Instant> incarnations = new HashMap<>();
            for (String table : List.of("agents", "prds")) {
                try (ResultSet rs = st.executeQuery(ENTITY_VERSIONS_SQL.formatted(table))) {
                    while (rs.next()) {
                        held.put(table + ":" + rs.getString(1), rs.getLong(2));
                        incarnations.put(table + ":" + rs.getString(1), rs.getTimestamp(3).toInstant());
                    }
                }
            }
            for (Map.Entry<String, Latest> e : latest.entrySet()) {
                Instant createdAt = e.getValue().createdAt();
                // another incarnation on the standby (the id created again after a purge it missed) holds none of
                // the topics' versions: the replay refuses their rows over it
                boolean other = createdAt != null && incarnations.containsKey(e.getKey())
                        && !createdAt.equals(incarnations.get(e.getKey()));
                missing += Math.max(0, e.getValue().version() - (other ? 0 : held.getOrDefault(e.getKey(), 0L)));
            }
            try (ResultSet rs = st.executeQuery(HISTORY_SEQS_SQL)) {
                while (rs.next()) {
                    history.remove(rs.getLong(1));
                }
            }
            missing += linksDiffering(st, links, held);
        }
        return missing + history.size();
    }

    /** Takes one audit event. */
    interface EventHandler {
        void accept(JsonNode event) throws Exception;
    }

    /**
     * Hands the events the topics hold from {@code from} (a backup's offsets; empty: the beginning) to {@code each},
     * at least up to their end as read now, in order within each partition.
     */
    static void scan(AuditTopics topics, Map<String, Map<Integer, Long>> from, EventHandler each) throws Exception {
        JsonMapper json = JsonMapper.builder().build();
        try (KafkaConsumer<String, String> c = topics.consumer()) {
            List<TopicPartition> parts = topics.partitions(c);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            Map<TopicPartition, Long> start = topics.startOffsets(parts, from);
            c.assign(parts);
            start.forEach(c::seek);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    each.accept(json.readTree(r.value()));
                }
            }
        }
    }

    /**
     * Links (and unlinks) the topics hold that the database does not show, unless its PRD is already past the
     * version that made them (a database ahead of the topics is not missing anything there).
     */
    private static long linksDiffering(Statement st, Map<String, Link> links, Map<String, Long> held)
            throws SQLException {
        Set<String> stored = new HashSet<>();
        try (ResultSet rs = st.executeQuery(LINKS_SQL)) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        return links.entrySet().stream().filter(l -> l.getValue().present() != stored.contains(l.getKey()))
                .filter(l -> l.getValue().version() == null
                        || held.getOrDefault("prds:" + l.getValue().prd(), 0L) <= l.getValue().version())
                .count();
    }
}
