package dev.agentfactory.relay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.Poll;

/**
 * A relay's own world on the shared local stack, for ITs that run the packaged relay: a database of its own on both
 * clusters (migrated), its own slot, audit topics, Redis prefix and lock key, all named {@code it_<name>_<suffix>},
 * and the relays it started. {@link #close()} stops them and removes everything it made.
 */
final class RelayBed implements AutoCloseable {

    final StackEndpoints endpoints;
    final String suffix = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    final String db;
    final String slot;
    final String agentsTopic;
    final String prdsTopic;
    final String redisPrefix;
    final long lockKey;
    private final LocalStack stack;
    private final List<RelayProcess> relays = new ArrayList<>();

    /** Makes the databases and the audit topics (with {@code topicConfigs}); starts no relay. */
    RelayBed(String name, StackEndpoints endpoints, LocalStack stack, Map<String, String> topicConfigs)
            throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        this.db = "it_" + name + "_" + suffix;
        this.slot = db;
        this.agentsTopic = "it." + name + "." + suffix + ".audit.agents";
        this.prdsTopic = "it." + name + "." + suffix + ".audit.prds";
        this.redisPrefix = "it-" + name + "-" + suffix;
        this.lockKey = Math.abs(UUID.nameUUIDFromBytes(db.getBytes()).getMostSignificantBits());
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres")); Statement st = c.createStatement()) {
            // a run killed before its tear-down leaves its slot behind, pinning WAL on the shared primary
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name LIKE 'it\\_" + name + "\\_%' AND NOT active");
        }
        stack.primary().createDatabase(db);
        stack.standby().createDatabase(db);
        migrate(endpoints.primaryJdbcUrl(db));
        migrate(endpoints.standbyJdbcUrl(db));
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agentsTopic, 3, prdsTopic, 3), topicConfigs);
    }

    /** What each relay of the bed is given; callers add or replace settings. */
    Map<String, String> relayProperties() {
        Map<String, String> p = new HashMap<>(RelayProcess.properties(endpoints, endpoints.primaryJdbcUrl(db),
                redisPrefix, agentsTopic, prdsTopic));
        p.put("factory.cdc.slot-name", slot);
        p.put("factory.cdc.lock-key", Long.toString(lockKey));
        p.put("factory.cdc.offset-flush-interval", "1s");
        p.put("factory.cdc.standby.url", endpoints.standbyJdbcUrl(db));
        return p;
    }

    /** Starts a relay process with {@link #relayProperties()} and {@code overrides}; stopped by {@link #close()}. */
    RelayProcess start(String instance, Map<String, String> overrides) throws Exception {
        Map<String, String> p = relayProperties();
        p.putAll(overrides);
        RelayProcess relay = RelayProcess.start(suffix + "-" + instance, p);
        relays.add(relay);
        return relay;
    }

    Connection primary() throws SQLException {
        return superuser(endpoints.primaryJdbcUrl(db));
    }

    Connection standby() throws SQLException {
        return superuser(endpoints.standbyJdbcUrl(db));
    }

    Connection superuser(String url) throws SQLException {
        return DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
    }

    /** The walsender holding the slot, or null. */
    Long slotActivePid() throws SQLException {
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres"))) {
            String pid = scalar(c, "SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
            return pid == null ? null : Long.parseLong(pid);
        }
    }

    String confirmedFlushLsn() throws SQLException {
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres"))) {
            return scalar(c, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        }
    }

    boolean lsnAtLeast(String lsn, String target) throws SQLException {
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres"))) {
            return lsn != null && "true".equals(scalar(c, "SELECT ('" + lsn + "'::pg_lsn >= '" + target
                    + "'::pg_lsn)::text"));
        }
    }

    /** The primary's WAL position now: past every transaction committed before the call. */
    String currentLsn() throws SQLException {
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres"))) {
            return scalar(c, "SELECT pg_current_wal_lsn()::text");
        }
    }

    /** Waits until the slot's confirmed position, and so the relay's stored offsets, reached {@code lsn}. */
    void awaitConfirmed(Duration timeout, String lsn) {
        Poll.until(timeout, "the slot confirmed past " + lsn, () -> {
            try {
                return lsnAtLeast(confirmedFlushLsn(), lsn);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until a started relay streams: its slot confirmed a position past the WAL of this call's start. */
    void awaitStreaming(Duration timeout) throws SQLException {
        awaitConfirmed(timeout, currentLsn());
    }

    static String scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void migrate(String url) {
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
    }

    @Override
    public void close() throws Exception {
        for (RelayProcess r : relays) {
            if (r.alive()) {
                r.stop();
            }
        }
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres")); Statement st = c.createStatement()) {
            Poll.until(Duration.ofSeconds(30), "slot " + slot + " released", () -> {
                try {
                    return slotActivePid() == null;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            st.execute("SELECT pg_drop_replication_slot('" + slot + "') FROM pg_replication_slots WHERE slot_name = '"
                    + slot + "'");
        }
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(agentsTopic, prdsTopic));
        stack.primary().dropDatabase(db);
        stack.standby().dropDatabase(db);
    }
}
