package dev.agentfactory.contracts;

import java.util.List;
import java.util.Map;

/**
 * The Kafka topics of the write contract. Every producer, consumer and the local stack take the
 * names from here so a rename is one change; deployments may still override them in configuration.
 */
public final class Topics {

    /** Agent writes, keyed by agent id so one agent's writes stay ordered. */
    public static final String AGENT_WRITES = "factory.agent-writes.v1";
    /** PRD writes, keyed by PRD id. */
    public static final String PRD_WRITES = "factory.prd-writes.v1";
    /** One outcome per eventId, published after the database commit. */
    public static final String WRITE_RESULTS = "factory.write-results.v1";
    /** Records that are not a valid envelope, with the reason in headers. */
    public static final String WRITES_DLQ = "factory.writes.dlq.v1";
    /** Committed agent changes from the CDC relay, for analytics consumers. */
    public static final String AUDIT_AGENTS = "factory.audit.agents.v1";
    /** Committed PRD changes from the CDC relay. */
    public static final String AUDIT_PRDS = "factory.audit.prds.v1";

    /** Default partition count of the write topics. */
    public static final int WRITE_PARTITIONS = 6;

    /**
     * The audit topics' {@code max.message.bytes}: an update's event carries the entity's row before and after
     * (REPLICA IDENTITY FULL), about 2.4 MB for an entity at the worker's size limit (1,200,000 bytes), and the
     * relay's producer sends up to this much (factory.cdc.audit-max-request-bytes). A broker's 1 MiB default would
     * refuse such an event, and the relay cannot go past a transaction it cannot publish.
     */
    public static final int AUDIT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    /** Topic configs of the audit topics, as the local stack and deployment scripts create them. */
    public static final Map<String, String> AUDIT_CONFIGS = Map.of("max.message.bytes",
            Integer.toString(AUDIT_MAX_MESSAGE_BYTES));

    private Topics() {
    }

    /** A topic of the contract with the partition count and the topic configs it is created with. */
    public record Spec(String name, int partitions, Map<String, String> configs) {
    }

    /** Every topic of the contract, as the local stack and deployment scripts create them. */
    public static List<Spec> all() {
        return List.of(
                new Spec(AGENT_WRITES, WRITE_PARTITIONS, Map.of()),
                new Spec(PRD_WRITES, WRITE_PARTITIONS, Map.of()),
                new Spec(WRITE_RESULTS, WRITE_PARTITIONS, Map.of()),
                new Spec(WRITES_DLQ, 1, Map.of()),
                new Spec(AUDIT_AGENTS, WRITE_PARTITIONS, AUDIT_CONFIGS),
                new Spec(AUDIT_PRDS, WRITE_PARTITIONS, AUDIT_CONFIGS));
    }
}
