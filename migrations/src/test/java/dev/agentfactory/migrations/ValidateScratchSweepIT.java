package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * A validate killed with SIGKILL leaves its scratch database behind; the next validate on the cluster drops it once
 * it is old and unused, and never one that a running validate may still be using (recent, or with a session).
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidateScratchSweepIT {

    private static final String DATABASE = "it_mig_scratch_sweep";
    private StackEndpoints endpoints;
    private LocalStack stack;
    private Map<String, String> env;
    private final List<String> scratch = new ArrayList<>();

    @BeforeAll
    void migrated(StackEndpoints endpoints, LocalStack stack) {
        this.endpoints = endpoints;
        this.stack = stack;
        TestDatabases.fresh(stack, endpoints, DATABASE).migrateTo("1");
        env = Map.of("FACTORY_DB_URL", endpoints.primaryJdbcUrl(DATABASE), "FACTORY_DB_OWNER_USER",
                endpoints.superuser(), "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword());
    }

    @AfterAll
    void drop() {
        stack.primary().dropDatabase(DATABASE);
    }

    @AfterEach
    void dropScratch() {
        scratch.forEach(stack.primary()::dropDatabase);
        scratch.clear();
    }

    @Test
    void aScratchDatabaseLeftByAKilledValidateIsDroppedByTheNextOne() {
        String leftover = scratchDatabaseCreatedSecondsAgo(ScratchDatabases.STALE_AFTER.toSeconds() + 60);

        DbRun run = DbRun.of(env, "validate");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("validate: swept " + leftover + ": the scratch database of a validate that did"
                + " not finish");
        assertThat(exists(leftover)).isFalse();
    }

    @Test
    void aRecentScratchDatabaseAndAnOldOneInUseAreKept() throws Exception {
        String recent = scratchDatabaseCreatedSecondsAgo(60);
        String inUse = scratchDatabaseCreatedSecondsAgo(ScratchDatabases.STALE_AFTER.toSeconds() + 60);

        DbRun run;
        try (Connection session = TestDatabases.superuser(endpoints, inUse)) {
            run = DbRun.of(env, "validate");
        }

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("validate: kept " + inUse).contains("session(s) still use it")
                .doesNotContain(recent);
        assertThat(exists(recent)).isTrue();
        assertThat(exists(inUse)).isTrue();
    }

    @Test
    void aSessionThatConnectsAfterTheListingStillKeepsItsDatabase() throws Exception {
        String inUse = scratchDatabaseCreatedSecondsAgo(ScratchDatabases.STALE_AFTER.toSeconds() + 60);
        long now = TestDatabases.count(endpoints, "postgres", ScratchDatabases.NOW_SQL);

        String line;
        try (Connection session = TestDatabases.superuser(endpoints, inUse);
             Connection admin = TestDatabases.superuser(endpoints, DATABASE)) {
            // The listing saw no session; one connected before the drop (a validate between its connections).
            line = ScratchDatabases.consider(admin, inUse, 0, now);
        }

        assertThat(line).startsWith("kept " + inUse).endsWith("a session connected to it meanwhile");
        assertThat(exists(inUse)).isTrue();
    }

    /** A scratch database named as validate names them, dated by the server's clock minus {@code seconds}. */
    private String scratchDatabaseCreatedSecondsAgo(long seconds) {
        long now = TestDatabases.count(endpoints, "postgres", ScratchDatabases.NOW_SQL);
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        String name = ScratchDatabases.nameAt(now - seconds, HexFormat.of().formatHex(random));
        stack.primary().createDatabase(name);
        scratch.add(name);
        return name;
    }

    private boolean exists(String database) {
        return TestDatabases.count(endpoints, "postgres", "SELECT count(*) FROM pg_database WHERE datname = '"
                + database + "'") == 1;
    }
}
