package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.dao.DataAccessException;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** The store contract on PostgreSQL, in a database of its own migrated once for the class. */
@ExtendWith(LocalStackExtension.class)
class JdbcStoreIT extends StoreContract {

    static final String DATABASE = "it_store_contract";
    private static MigratedDatabase database;
    private static HikariDataSource dataSource;
    private static Store store;

    @BeforeAll
    static void migratedDatabase(StackEndpoints endpoints, LocalStack stack) {
        database = MigratedDatabase.create(stack, endpoints, DATABASE, 4);
        dataSource = database.dataSource();
        store = Store.jdbc(dataSource, new TransientRetry(3, Duration.ofMillis(10), Duration.ofMillis(100)));
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @BeforeEach
    void empty() throws Exception {
        try (var c = dataSource.getConnection(); var st = c.createStatement()) {
            st.execute("TRUNCATE factory.prd_agents, factory.prd_versions, factory.prds, factory.agent_history,"
                    + " factory.agent_versions, factory.agents, factory.audit_log, factory.processed_events");
        }
    }

    @Test
    void theLeastPrivilegeRolesWriteAndReadThroughRowLevelSecurityAndTheReaderCannotWrite() {
        MigrationSettings roles = MigrationSettings.fromEnvironment(System.getenv());
        try (HikariDataSource writer = pool(roles, "factory_writer", roles.writerPassword());
             HikariDataSource reader = pool(roles, "factory_reader", roles.readerPassword())) {
            Store asWriter = Store.jdbc(writer, TransientRetry.defaults());
            Store asReader = Store.jdbc(reader, TransientRetry.defaults());
            var agent = agent("least-privilege", 1, T0);
            assertThat(asWriter.agents().create(agent, change("create")).applied()).isTrue();

            assertThat(asReader.agents().findBySlug("least-privilege")).isPresent();
            assertThat(asReader.audit().byEntity("agent", agent.id(), Instant.EPOCH, Instant.now().plusSeconds(60), null, 10).items()).hasSize(1);
            assertThatThrownBy(() -> asReader.agents().create(agent("intruder", 1, T0), change("create")))
                    .isInstanceOfSatisfying(DataAccessException.class, e ->
                            assertThat(e.getMostSpecificCause().getMessage()).contains("permission denied"));
        }
    }

    private static HikariDataSource pool(MigrationSettings roles, String user, String password) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(dataSource.getJdbcUrl());
        ds.setUsername(user);
        ds.setPassword(password);
        ds.setMaximumPoolSize(1);
        return ds;
    }

    @Override
    protected Store store() {
        return store;
    }
}
