package dev.agentfactory.stack.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackSettings;

/**
 * A test run leaves no databases of its own behind on the shared stack, and drops none it did not create:
 * a run of a small test class on the JUnit engine, and the primary's catalogue before and after.
 */
class CreatedDatabasesIT {

    static final String CREATED = "it_stack_created_" + Long.toString(System.nanoTime(), 36);

    @Test
    void theDatabasesARunCreatedAreDroppedWhenTheRunEnds() throws SQLException {
        assumeFalse(Boolean.getBoolean(LocalStackExtension.KEEP_DATABASES), "databases kept on request");
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(CreatesADatabase.class)).execute()
                .testEvents().assertStatistics(s -> s.succeeded(1).failed(0));

        assertThat(exists(CREATED)).isFalse();
        assertThat(exists(StackSettings.fromEnvironment().database())).isTrue();
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
