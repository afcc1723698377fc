package dev.agentfactory.bench.dr;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The benchmark's data: 1,000,000 rows written set-wise as the ingest worker would (agents, their version
 * snapshots, dedup records and audit entries, learning history), then a delta of agent updates and history
 * entries after the backup. The delta's audit events are produced here the way the CDC relay publishes them
 * ({@code factory.audit.v1}, cdc-relay/README.md), built by PostgreSQL from the committed rows; running the
 * relay over a million rows would measure the relay, which the {@code cdc} benchmark does.
 */
final class DrWorkload {

    static final int AGENTS = 100_000;
    static final int HISTORY = 600_000;

    static final String SEED_AGENTS = """
            INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version,
                                        created_at, created_by, updated_at, updated_by)
            SELECT md5('agent' || g)::uuid, 'a-' || g, 'agent ' || g, 'planner', 'active', '{"model":"m1"}',
                   jsonb_build_object('step', g, 'notes', md5(g::text)), '{}', 1, now(), 'bench', now(), 'bench'
            FROM generate_series(1, %d) g""".formatted(AGENTS);
    static final String SEED_VERSIONS = """
            INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id)
            SELECT a.id, 1, 'create', to_jsonb(a), 'bench', gen_random_uuid() FROM factory.agents a""";
    static final String SEED_BOOKKEEPING = """
            WITH p AS (
                INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)
                SELECT event_id, 'agent', agent_id, 'agent.create', 'APPLIED', 1 FROM factory.agent_versions)
            INSERT INTO factory.audit_log (entity_type, entity_id, version, command_type, actor, event_id, occurred_at)
            SELECT 'agent', agent_id, 1, 'agent.create', actor, event_id, now() FROM factory.agent_versions""";
    static final String SEED_HISTORY = """
            INSERT INTO factory.agent_history (agent_id, kind, entry, recorded_at, actor, event_id)
            SELECT md5('agent' || (g %% %d + 1))::uuid, 'learning', jsonb_build_object('step', g, 'loss', g / 1e6),
                   now(), 'bench', gen_random_uuid()
            FROM generate_series(1, %d) g""".formatted(AGENTS, HISTORY);

    /** After the backup: a version bump of {@code n} agents and one history entry each. */
    static final String DELTA = """
            WITH u AS (
                UPDATE factory.agents SET version = version + 1, updated_at = now(), updated_by = 'bench-update',
                       metadata = metadata || jsonb_build_object('round', version + 1)
                WHERE id IN (SELECT md5('agent' || g)::uuid FROM generate_series(1, %1$d) g) RETURNING *),
            v AS (
                INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id)
                SELECT u.id, u.version, 'update', to_jsonb(u), u.updated_by, gen_random_uuid() FROM u
                RETURNING agent_id, version, event_id)
            INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)
            SELECT event_id, 'agent', agent_id, 'agent.update', 'APPLIED', version FROM v""";
    static final String DELTA_HISTORY = """
            INSERT INTO factory.agent_history (agent_id, kind, entry, recorded_at, actor, event_id)
            SELECT md5('agent' || g)::uuid, 'performance', jsonb_build_object('score', g), now(), 'bench',
                   gen_random_uuid()
            FROM generate_series(1, %d) g""";

    /** The relay's events for the delta: each updated agent joined with its version row, each history entry. */
    static final String DELTA_EVENTS = """
            SELECT a.id::text, jsonb_build_object('schema', 'factory.audit.v1', 'op', v.change_type, 'entity', 'agent',
                   'id', a.id, 'version', a.version, 'table', 'agents', 'before', NULL, 'after', to_jsonb(a),
                   'actor', v.actor, 'eventId', v.event_id, 'txId', NULL, 'lsn', 1,
                   'commitTime', to_char(v.committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
            FROM factory.agents a JOIN factory.agent_versions v ON v.agent_id = a.id AND v.version = a.version
            WHERE a.version > 1
            UNION ALL
            SELECT h.agent_id::text, jsonb_build_object('schema', 'factory.audit.v1', 'op', 'history',
                   'entity', 'agent', 'id', h.agent_id, 'version', NULL, 'table', 'agent_history', 'before', NULL,
                   'after', to_jsonb(h), 'actor', h.actor, 'eventId', h.event_id, 'txId', NULL, 'lsn', 2,
                   'commitTime', to_char(h.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
            FROM factory.agent_history h WHERE h.seq > %d""";

    /** Writes recorded: a version row per entity change, a row per history entry. */
    static final String WRITES = "SELECT (SELECT count(*) FROM factory.agent_versions) "
            + "+ (SELECT count(*) FROM factory.prd_versions) + (SELECT count(*) FROM factory.agent_history)";

    private DrWorkload() {
    }

    static void seed(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : new String[] {SEED_AGENTS, SEED_VERSIONS, SEED_BOOKKEEPING, SEED_HISTORY}) {
                st.execute(sql);
            }
        }
    }

    /** Commits the delta and publishes its audit events; returns the number of events. */
    static long delta(Connection c, int n, String bootstrap, String agentsTopic) throws SQLException {
        long maxSeq = scalar(c, "SELECT coalesce(max(seq), 0) FROM factory.agent_history");
        try (Statement st = c.createStatement()) {
            st.execute(DELTA.formatted(n));
            st.execute(DELTA_HISTORY.formatted(n));
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long events = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(DELTA_EVENTS.formatted(maxSeq))) {
            while (rs.next()) {
                producer.send(new ProducerRecord<>(agentsTopic, rs.getString(1), rs.getString(2)));
                events++;
            }
            producer.flush();
        }
        return events;
    }

    static long scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
