package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;

/**
 * V4_3's statement-level references hold what the foreign keys they replaced held: no version or history
 * row without its agent or PRD, no delete of a referenced one (even racing an insert), no id change.
 */
@ExtendWith(LocalStackExtension.class)
class ReferencesIT {

    private static final String DATABASE = "it_migrations_references";
    private static final String FK_VIOLATION = "23503";
    private static String url;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void migrated(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        stack.primary().dropDatabase(DATABASE);
        stack.primary().createDatabase(DATABASE);
        url = e.primaryJdbcUrl(DATABASE);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
    }

    @AfterAll
    static void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @BeforeEach
    void empty() throws SQLException {
        sql("TRUNCATE factory.prd_agents, factory.prd_versions, factory.prds, factory.agent_history,"
                + " factory.agent_versions, factory.agents");
    }

    @Test
    void aStatementWithOneVersionOfAnUnknownAgentIsRefusedWhole() throws SQLException {
        UUID known = agent();
        UUID unknown = UUID.randomUUID();
        assertThatThrownBy(() -> sql("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, "
                + "actor, event_id) VALUES " + version(known, 1) + ", " + version(unknown, 1)))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION);
                    assertThat(e.getMessage()).contains("agent_versions").contains(unknown.toString());
                });
        assertThat(count("SELECT count(*) FROM factory.agent_versions")).isZero();

        sql("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id) VALUES "
                + version(known, 1));
        assertThat(count("SELECT count(*) FROM factory.agent_versions")).isEqualTo(1);
    }

    @Test
    void historyOfAnUnknownAgentAndVersionsOfAnUnknownPrdAreRefused() {
        assertThatThrownBy(() -> sql("INSERT INTO factory.agent_history (agent_id, kind, entry, recorded_at, actor, "
                + "event_id) VALUES ('" + UUID.randomUUID() + "', 'learning', '{}', now(), 'it', gen_random_uuid())"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION));
        assertThatThrownBy(() -> sql("INSERT INTO factory.prd_versions (prd_id, version, change_type, snapshot, actor, "
                + "event_id) VALUES ('" + UUID.randomUUID() + "', 1, 'create', '{}', 'it', gen_random_uuid())"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION));
    }

    @Test
    void aVersionCannotBeMovedToAnUnknownAgent() throws SQLException {
        UUID known = agent();
        sql("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id) VALUES "
                + version(known, 1));
        assertThatThrownBy(() -> sql("UPDATE factory.agent_versions SET agent_id = gen_random_uuid()"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION));
    }

    @Test
    void aReferencedAgentOrPrdCannotBeDeletedAndAnUnreferencedOneCan() throws SQLException {
        UUID referenced = agent();
        UUID alone = agent();
        sql("INSERT INTO factory.agent_history (agent_id, kind, entry, recorded_at, actor, event_id) VALUES ('"
                + referenced + "', 'learning', '{}', now(), 'it', gen_random_uuid())");
        assertThatThrownBy(() -> sql("DELETE FROM factory.agents"))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION);
                    assertThat(e.getMessage()).contains(referenced.toString());
                });
        sql("DELETE FROM factory.agents WHERE id = '" + alone + "'");
        assertThat(count("SELECT count(*) FROM factory.agents")).isEqualTo(1);

        UUID prd = UUID.randomUUID();
        sql("INSERT INTO factory.prds (id, slug, title, version, created_at, created_by, updated_at, updated_by) "
                + "VALUES ('" + prd + "', 'p-" + prd + "', 'PRD', 1, now(), 'it', now(), 'it')");
        sql("INSERT INTO factory.prd_versions (prd_id, version, change_type, snapshot, actor, event_id) VALUES ('"
                + prd + "', 1, 'create', '{}', 'it', gen_random_uuid())");
        assertThatThrownBy(() -> sql("DELETE FROM factory.prds"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION));
    }

    @Test
    void anIdNeverChanges() throws SQLException {
        UUID id = agent();
        assertThatThrownBy(() -> sql("UPDATE factory.agents SET id = gen_random_uuid() WHERE id = '" + id + "'"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION));
        sql("UPDATE factory.agents SET id = id, name = 'renamed' WHERE id = '" + id + "'");
        assertThat(count("SELECT count(*) FROM factory.agents WHERE name = 'renamed'")).isEqualTo(1);
    }

    @Test
    void aDeleteWaitsForATransactionInsertingAVersionOfItsAgentAndThenFails() throws Exception {
        UUID id = agent();
        try (Connection inserting = connect()) {
            inserting.setAutoCommit(false);
            try (Statement st = inserting.createStatement()) {
                st.execute("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, "
                        + "event_id) VALUES " + version(id, 1));
            }
            CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> {
                try {
                    sql("DELETE FROM factory.agents WHERE id = '" + id + "'");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // A foreign key would block the delete on the row lock; here the SHARE lock on the versions waits.
            Poll.until(Duration.ofSeconds(10), "the delete waiting for a lock", () -> waiting("DELETE FROM factory.agents%") == 1);
            assertThat(delete).isNotDone();
            inserting.commit();
            assertThatThrownBy(delete::join).hasRootCauseInstanceOf(SQLException.class)
                    .rootCause().satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(FK_VIOLATION));
        }
        assertThat(count("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + id + "'")).isEqualTo(1);
    }

    @Test
    void anInsertWaitingForADeleteOfItsAgentFailsOnceTheDeleteCommits() throws Exception {
        UUID id = agent();
        try (Connection deleting = connect()) {
            deleting.setAutoCommit(false);
            try (Statement st = deleting.createStatement()) {
                st.execute("DELETE FROM factory.agents WHERE id = '" + id + "'");
            }
            CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
                try {
                    sql("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, "
                            + "event_id) VALUES " + version(id, 1));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Poll.until(Duration.ofSeconds(10), "the insert waiting for a lock",
                    () -> waiting("INSERT INTO factory.agent_versions%") == 1);
            deleting.commit();
            assertThatThrownBy(insert::join).hasRootCauseInstanceOf(SQLException.class)
                    .rootCause().satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(FK_VIOLATION));
        }
        assertThat(count("SELECT count(*) FROM factory.agent_versions")).isZero();
    }

    @Test
    void underRepeatableReadAWriterLocksTheParentsAndADeleteIsRefused() throws Exception {
        UUID id = agent();
        try (Connection writer = connect()) {
            writer.setAutoCommit(false);
            writer.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = writer.createStatement()) {
                st.execute("SELECT count(*) FROM factory.agents");   // takes the snapshot
                sql("DELETE FROM factory.agents WHERE id = '" + id + "'");
                // The snapshot still shows the agent; locking it, as a foreign key would, reveals the delete.
                assertThatThrownBy(() -> st.execute("INSERT INTO factory.agent_versions (agent_id, version, "
                        + "change_type, snapshot, actor, event_id) VALUES " + version(id, 1)))
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("40001"));
            }
            writer.rollback();
        }
        try (Connection deleter = connect()) {
            deleter.setAutoCommit(false);
            deleter.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = deleter.createStatement()) {
                assertThatThrownBy(() -> st.execute("DELETE FROM factory.agents"))
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("55000"));
            }
            deleter.rollback();
        }
    }

    @Test
    void truncatingAgentsFailsWhileVersionsRemainAndSucceedsWithThem() throws SQLException {
        UUID id = agent();
        sql("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id) VALUES "
                + version(id, 1));
        assertThatThrownBy(() -> sql("TRUNCATE factory.agents, factory.prd_agents"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION));
        assertThat(count("SELECT count(*) FROM factory.agents")).isEqualTo(1);
        sql("TRUNCATE factory.agents, factory.prd_agents, factory.agent_versions, factory.agent_history");
        assertThat(count("SELECT count(*) FROM factory.agents")).isZero();
    }

    @Test
    void theLeastPrivilegeWriterIsCheckedToo() throws SQLException {
        UUID known = agent();
        MigrationSettings roles = MigrationSettings.fromEnvironment(System.getenv());
        try (Connection writer = DriverManager.getConnection(url, "factory_writer", roles.writerPassword());
             Statement st = writer.createStatement()) {
            st.execute("INSERT INTO factory.agent_versions (agent_id, version, change_type, snapshot, actor, event_id) "
                    + "VALUES " + version(known, 1));
            assertThatThrownBy(() -> st.execute("INSERT INTO factory.agent_versions (agent_id, version, change_type, "
                    + "snapshot, actor, event_id) VALUES " + version(UUID.randomUUID(), 1)))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(FK_VIOLATION));
        }
    }

    private static long waiting(String queryLike) {
        try {
            return count("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + DATABASE
                    + "' AND wait_event_type = 'Lock' AND query LIKE '" + queryLike + "'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UUID agent() throws SQLException {
        UUID id = UUID.randomUUID();
        sql("INSERT INTO factory.agents (id, slug, name, kind, version, created_at, created_by, updated_at, "
                + "updated_by) VALUES ('" + id + "', 'a-" + id + "', 'agent', 'llm', 1, now(), 'it', now(), 'it')");
        return id;
    }

    private static String version(UUID agent, long version) {
        return "('" + agent + "', " + version + ", 'create', '{}', 'it', gen_random_uuid())";
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static long count(String query) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); var rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
    }
}
