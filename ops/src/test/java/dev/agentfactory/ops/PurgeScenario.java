package dev.agentfactory.ops;

import static dev.agentfactory.ops.AuditEvents.agentRow;
import static dev.agentfactory.ops.AuditEvents.history;
import static dev.agentfactory.ops.AuditEvents.link;
import static dev.agentfactory.ops.AuditEvents.prdRow;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;

/**
 * Audit events of an operator's purge, as the relay publishes them (cdc-relay/README.md): an agent and a PRD are
 * created and linked, the agent gets a history entry; then the purge deletes the link, the history entry and the
 * agent (its version rows' deletes are not on the topics), and a second purge the PRD. A second agent, with its
 * own history entry, stays. An event's lsn is its commit time in milliseconds (plus its place in the purge).
 * Each scenario has its own migrated database, owned by a role of its own without superuser rights, and its own
 * audit topics.
 */
public final class PurgeScenario {

    public static final Instant T1 = AuditEvents.CREATED;
    public static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");
    /** The last change before the purges. */
    public static final Instant LINKED = Instant.parse("2026-03-01T12:00:00Z");
    private static final Instant PURGED = Instant.parse("2026-03-01T13:00:00Z");
    private static final Instant PRD_PURGED = Instant.parse("2026-03-01T14:00:00Z");

    public final UUID purged = UUID.randomUUID();
    public final UUID kept = UUID.randomUUID();
    public final UUID prd = UUID.randomUUID();
    private final StackEndpoints endpoints;
    private final OpsTestBed bed;
    private final OwnerDatabase target;
    private final String agents;
    private final String prds;
    /** The database the events are to be replayed into. */
    public final String url;

    /** Creates the database, its owner and the topics ({@code name} tells them apart), and publishes the events. */
    public PurgeScenario(StackEndpoints endpoints, LocalStack stack, String name) throws Exception {
        String suffix = OpsTestBed.suffix();
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        agents = "it.ops." + name + "." + suffix + ".agents";
        prds = "it.ops." + name + "." + suffix + ".prds";
        target = bed.ownerDatabase("it_ops_" + name + "_" + suffix, "it_ops_" + name + "_owner_" + suffix);
        url = target.url();
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 2, prds, 1));
        publish();
    }

    /** The ops CLI's environment: the tables' owner without superuser rights, so references are checked. */
    public Map<String, String> ownerEnv() {
        return target.env(Map.of("FACTORY_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(),
                "FACTORY_CDC_AGENTS_AUDIT_TOPIC", agents, "FACTORY_CDC_PRDS_AUDIT_TOPIC", prds));
    }

    public String query(String sql) throws Exception {
        return bed.query(url, sql);
    }

    public Connection connect() throws SQLException {
        return bed.connect(url);
    }

    public void drop() throws Exception {
        target.close();
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agents, prds));
    }

    /** Publishes the events to the two audit topics, keyed by entity id as the relay keys them. */
    private void publish() {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()),
                new StringSerializer(), new StringSerializer())) {
            send(p, agents, event("create", "agent", purged, 1L, "agents", null, agentRow(purged, 1, T1), T1, 0));
            send(p, agents, event("create", "agent", kept, 1L, "agents", null, agentRow(kept, 1, T1), T1, 1));
            send(p, prds, event("create", "prd", prd, 1L, "prds", null, prdRow(prd, 1), T1, 2));
            send(p, agents, event("update", "agent", purged, 2L, "agents", agentRow(purged, 1, T1),
                    agentRow(purged, 2, T2), T2, 0));
            send(p, agents, event("history", "agent", purged, null, "agent_history", null, history(purged, 7, T2), T2, 1));
            send(p, agents, event("history", "agent", kept, null, "agent_history", null, history(kept, 8, T2), T2, 2));
            send(p, prds, event("link", "prd", prd, 2L, "prds", prdRow(prd, 1), prdRow(prd, 2), LINKED, 0));
            send(p, prds, event("link", "prd", prd, 2L, "prd_agents", null, link(prd, purged, LINKED), LINKED, 1));
            // the agent's purge, one transaction: links, history entries, version rows (not published), the agent
            send(p, prds, event("unlink", "prd", prd, null, "prd_agents", link(prd, purged, LINKED), null, PURGED, 0));
            send(p, agents, event("history", "agent", purged, null, "agent_history",
                    Map.of("seq", 7, "agent_id", purged.toString()), null, PURGED, 1));
            send(p, agents, event("purge", "agent", purged, 2L, "agents", agentRow(purged, 2, T2), null, PURGED, 2));
            // the PRD's purge: its version rows (not published), then the PRD
            send(p, prds, event("purge", "prd", prd, 2L, "prds", prdRow(prd, 2), null, PRD_PURGED, 0));
            p.flush();
        }
    }

    private static Map<String, Object> event(String op, String entity, UUID id, Long version, String table,
                                             Map<String, Object> before, Map<String, Object> after, Instant at,
                                             int place) {
        Map<String, Object> e = AuditEvents.event(op, entity, id, version, table, before, after,
                at.toEpochMilli() + place, at);
        if (after == null) {
            e.put("eventId", null); // the relay's purge events carry none: no version row was written
        }
        return e;
    }

    private static void send(KafkaProducer<String, String> p, String topic, Map<String, Object> event) {
        p.send(new ProducerRecord<>(topic, (String) event.get("id"), AuditEvents.json(event)));
    }
}
