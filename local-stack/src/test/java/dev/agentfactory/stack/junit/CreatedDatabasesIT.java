package dev.agentfactory.stack.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.postgresql.PGConnection;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackSettings;

/**
 * A test run leaves no databases of its own behind on the shared stack, and drops none it did not create:
 * a run of a small test class on the JUnit engine, and the primary's catalogue before and after.
 */
class CreatedDatabasesIT {

    static final String CREATED = "it_stack_created_" + Long.toString(System.nanoTime(), 36);
    static final String IDLE_SLOT = CREATED + "_idle";
    static final String STREAMING_SLOT = CREATED + "_streaming";
    /** The replication connection still streaming from {@link #STREAMING_SLOT} when the nested run ends. */
    static Connection streaming;

    @Test
    void theDatabasesARunCreatedAreDroppedWhenTheRunEnds() throws SQLException {
        assumeFalse(Boolean.getBoolean(LocalStackExtension.KEEP_DATABASES), "databases kept on request");
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(CreatesADatabase.class)).execute()
                .testEvents().assertStatistics(s -> s.succeeded(1).failed(0));

        assertThat(exists(CREATED)).isFalse();
        assertThat(exists(StackSettings.fromEnvironment().database())).isTrue();
    }

    @Test
    void aDatabaseWhoseLogicalSlotsAreIdleOrStillStreamingIsDroppedWithTheSlots() throws SQLException {
        assumeFalse(Boolean.getBoolean(LocalStackExtension.KEEP_DATABASES), "databases kept on request");
        try {
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(LeavesReplicationSlots.class)).execute()
                    .testEvents().assertStatistics(s -> s.succeeded(1).failed(0));

            assertThat(exists(CREATED + "_slots")).isFalse();
            try (Connection c = LocalStackExtension.stack().primary().connect("postgres");
                 var ps = c.prepareStatement("SELECT count(*) FROM pg_replication_slots WHERE slot_name IN (?, ?)")) {
                ps.setString(1, IDLE_SLOT);
                ps.setString(2, STREAMING_SLOT);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isZero();
                }
            }
        } finally {
            if (streaming != null) {
                streaming.close();
            }
        }
    }

    static boolean exists(String database) throws SQLException {
        try (Connection c = LocalStackExtension.stack().primary().connect("postgres");
             var ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (var rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Run only by the test above: a database with an idle logical slot and one a walsender streams from. */
    @ExtendWith(LocalStackExtension.class)
    static class LeavesReplicationSlots {
        @Test
        void createsADatabaseWithTwoSlots(LocalStack stack, StackEndpoints endpoints) throws SQLException {
            String database = CREATED + "_slots";
            stack.primary().createDatabase(database);
            try (Connection c = stack.primary().connect(database)) {
                c.createStatement().execute("SELECT pg_create_logical_replication_slot('" + IDLE_SLOT
                        + "', 'test_decoding')");
                c.createStatement().execute("SELECT pg_create_logical_replication_slot('" + STREAMING_SLOT
                        + "', 'test_decoding')");
            }
            Properties props = new Properties();
            props.setProperty("user", endpoints.superuser());
            props.setProperty("password", endpoints.superuserPassword());
            props.setProperty("replication", "database");
            props.setProperty("assumeMinServerVersion", "10");
            props.setProperty("preferQueryMode", "simple");
            streaming = DriverManager.getConnection(endpoints.primaryJdbcUrl(database), props);
            streaming.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(STREAMING_SLOT).start();
        }
    }

    /** Run only by the test above (a static nested class: neither failsafe nor Jupiter picks it up on its own). */
    @ExtendWith(LocalStackExtension.class)
    static class CreatesADatabase {
        @Test
        void createsOneAndAsksForAnExistingOne(LocalStack stack) throws SQLException {
            stack.primary().createDatabase(CREATED);
            stack.primary().createDatabase(StackSettings.fromEnvironment().database()); // exists: not ours to drop
            assertThat(exists(CREATED)).isTrue();
        }
    }
}
