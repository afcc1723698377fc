package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import dev.agentfactory.ops.audit.AuditTopics;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With the primary gone, the audit topics are the record of what was committed: counts the entity versions
 * and history entries they hold that a database lacks (an entity behind the topics' latest version, a
 * history entry absent). Zero means nothing the relay published is missing.
 */
final class AuditCoverage {

    static final String ENTITY_VERSIONS_SQL = "SELECT id::text, version FROM factory.%s";
    static final String HISTORY_SEQS_SQL = "SELECT seq FROM factory.agent_history";

    private AuditCoverage() {
    }

    static long missing(AuditTopics topics, Connection db) throws Exception {
        Map<String, Long> latest = new HashMap<>();
        Set<Long> history = new HashSet<>();
        JsonMapper json = JsonMapper.builder().build();
        try (KafkaConsumer<String, String> c = topics.consumer()) {
            List<TopicPartition> parts = topics.partitions(c);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            c.assign(parts);
            c.seekToBeginning(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    JsonNode e = json.readTree(r.value());
                    String table = e.path("table").asString();
                    boolean deleted = !e.path("after").isObject(); // an operator's purge: nothing left to expect
                    if (table.equals("agent_history")) {
                        if (deleted) {
                            history.remove(e.path("before").path("seq").asLong());
                        } else {
                            history.add(e.path("after").path("seq").asLong());
                        }
                    } else if (table.equals("agents") || table.equals("prds")) {
                        String key = table + ":" + e.path("id").asString();
                        if (deleted) {
                            latest.remove(key);
                        } else {
                            latest.merge(key, e.path("version").asLong(), Math::max);
                        }
                    }
                }
            }
        }
        long missing = 0;
        try (Statement st = db.createStatement()) {
            Map<String, Long> held = new HashMap<>();
            for (String table : List.of("agents", "prds")) {
                try (ResultSet rs = st.executeQuery(ENTITY_VERSIONS_SQL.formatted(table))) {
                    while (rs.next()) {
                        held.put(table + ":" + rs.getString(1), rs.getLong(2));
                    }
                }
            }
            for (Map.Entry<String, Long> e : latest.entrySet()) {
                missing += Math.max(0, e.getValue() - held.getOrDefault(e.getKey(), 0L));
            }
            try (ResultSet rs = st.executeQuery(HISTORY_SEQS_SQL)) {
                while (rs.next()) {
                    history.remove(rs.getLong(1));
                }
            }
        }
        return missing + history.size();
    }
}
