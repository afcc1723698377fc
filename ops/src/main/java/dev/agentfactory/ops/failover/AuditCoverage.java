package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * holding another incarnation than theirs, a history entry absent, a link or unlink the database does not show while
 * its PRD is not past the version that made it). Zero means nothing the relay published is missing. A purge in the
 * topics (an entity's or a history entry's delete) takes what it deleted out of the count, an agent's purge its
 * history entries too (one purged before V4_5 has no history delete events); one entity's events are in commit order
 * on its partition, so a purged and re-created entity is expected at its versions after the purge. A purge the
 * database holds and the topics do not yet ({@link StandbyPurgeFloors}) takes out what the topics say of that entity
 * before it.
 */
final class AuditCoverage {

    private AuditCoverage() {
    }

    /**
     * Counts from {@code from} (the backup's offsets the replay started from; empty: the beginning): what the topics
     * hold before it is in the backup, and history from before an earlier failover is another cluster's, whose LSNs
     * mean nothing against this standby's purge floors. What the topics hold is gathered here, the window's keys
     * once each; the standby is compared with it in the database ({@link ExpectedRows}).
     */
    static long missing(AuditTopics topics, Connection db, Map<String, Map<Integer, Long>> from) throws Exception {
        StandbyPurgeFloors floors = StandbyPurgeFloors.readAll(db);
        Map<String, ExpectedRows.Entity> latest = new HashMap<>();
        Map<Long, String> history = new HashMap<>(); // seq to its agent
        Map<String, ExpectedRows.Link> links = new HashMap<>();
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
                String prd = link.path("prd_id").asString();
                String agent = link.path("agent_id").asString();
                links.put(prd + ":" + agent, new ExpectedRows.Link(prd, agent, !deleted,
                        e.path("version").isNumber() ? e.path("version").asLong() : null));
            } else if (table.equals("agents") || table.equals("prds")) {
                String id = e.path("id").asString();
                String key = table + ":" + id;
                if (deleted) {
                    latest.remove(key);
                    if (table.equals("agents")) {
                        history.values().removeIf(id::equals);
                    }
                } else {
                    latest.merge(key, new ExpectedRows.Entity(table, id, e.path("version").asLong(),
                            e.path("after").path("created_at").stringValue(null)), ExpectedRows.Entity::then);
                }
            }
        });
        return ExpectedRows.missing(db, latest.values(), history.keySet(), links.values());
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
}
