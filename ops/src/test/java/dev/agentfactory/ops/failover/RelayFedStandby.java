package dev.agentfactory.ops.failover;

import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.relay.RelayProcess;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.store.replica.DatabaseComparator;
import dev.agentfactory.store.replica.TableDigest;

/**
 * A primary database and its standby, of one name on the shared stack's two clusters, with audit topics and a
 * relay of their own, the relay's standby sink on or off: what the failover tests drive through the real relay.
 * The standby database is created empty (restore or migrate it). {@link #close} ends the relay and drops the
 * relay's slot, the slot a promotion of the standby made ({@link #promotedSlot}), both databases and the topics.
 */
final class RelayFedStandby implements AutoCloseable {

    final String suffix = OpsTestBed.suffix();
    final String db;
    /** The relay's slot, from its name. */
    final String slot;
    /** The slot to name in a failover (its {@code --slot}), on the standby's cluster. */
    final String promotedSlot;
    final String primaryUrl;
    final String standbyUrl;
    /** The ops CLI's environment: these audit topics, FACTORY_DB_URL the primary. */
    final Map<String, String> env;
    final OpsTestBed bed;
    final StackEndpoints endpoints;
    RelayProcess relay;

    private final String name;
    private final LocalStack stack;

    /** {@code name}: the test's, as in {@code ops-rebuild}; databases, slot and topics add a suffix of this run. */
    RelayFedStandby(String name, StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.name = name;
        this.endpoints = endpoints;
        this.stack = stack;
        bed = new OpsTestBed(endpoints, stack);
        db = "it_" + name.replace('-', '_') + "_" + suffix;
        slot = db;
        promotedSlot = db + "_promoted";
        primaryUrl = bed.migratedDatabase(db);
        stack.standby().createDatabase(db);
        standbyUrl = endpoints.standbyJdbcUrl(db);
        String topics = "it." + name.replace('-', '.') + "." + suffix;
        env = new HashMap<>(bed.env(topics + ".agents", topics + ".prds"));
        env.put("FACTORY_DB_URL", primaryUrl);
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(topics + ".agents", 1, topics + ".prds", 1));
    }

    /** Starts the relay (after stopping a running one) and waits until it streams. */
    void startRelay(boolean standbySink) throws Exception {
        if (relay != null && relay.alive()) {
            relay.stop();
        }
        Map<String, String> p = RelayProcess.properties(endpoints, primaryUrl, "it-" + name + "-" + suffix,
                env.get("FACTORY_CDC_AGENTS_AUDIT_TOPIC"), env.get("FACTORY_CDC_PRDS_AUDIT_TOPIC"));
        p.put("factory.cdc.standby.enabled", Boolean.toString(standbySink));
        p.put("factory.cdc.standby.url", standbyUrl);
        relay = RelayProcess.start(name + (standbySink ? "-sink-on" : "-sink-off"), p);
        bed.awaitRelayStreaming(endpoints.primaryJdbcUrl("postgres"), slot, relay.log);
    }

    /** Waits until everything committed on the primary so far has reached the relay's sinks. */
    void awaitRelayConfirmed() throws Exception {
        bed.awaitRelayConfirmed(endpoints.primaryJdbcUrl("postgres"), slot,
                bed.query(primaryUrl, "SELECT pg_current_wal_lsn()::text"), relay.log);
    }

    /** Every table's digest in the database at {@code url}: to show that nothing was written there. */
    List<TableDigest> digest(String url) throws Exception {
        try (Connection c = bed.connect(url)) {
            return new DatabaseComparator(DatabaseComparator.Scope.FULL).digest(c);
        }
    }

    /** How many slots named {@link #promotedSlot} the standby's cluster has: 1 once the standby was promoted. */
    String promotedSlots() throws Exception {
        return bed.query(endpoints.standbyJdbcUrl("postgres"), "SELECT count(*) FROM pg_replication_slots "
                + "WHERE slot_name = '" + promotedSlot + "'");
    }

    @Override
    public void close() throws Exception {
        if (relay != null && relay.alive()) {
            relay.kill();
        }
        bed.dropSlot(endpoints.primaryJdbcUrl("postgres"), slot);
        bed.dropSlot(endpoints.standbyJdbcUrl("postgres"), promotedSlot);
        stack.primary().dropDatabase(db);
        stack.standby().dropDatabase(db);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(env.get("FACTORY_CDC_AGENTS_AUDIT_TOPIC"),
                env.get("FACTORY_CDC_PRDS_AUDIT_TOPIC")));
    }
}
